// Chiyoda Civic on Azure App Service (Linux, .NET 10): every instance is a web front end and a silo.
// Silos find each other in the storage account's membership table and talk mutual TLS over the VNet
// integration's private port; grain state, reminders and the data-protection key ring live in the same
// storage account, reached with a user-assigned managed identity (no account keys). Secrets live in a Key
// Vault and reach the app as Key Vault references, read with the same identity: the OpenID Connect client
// secret, the certificate the silos present to each other, and the certificate the key ring is encrypted to.
//
//   az deployment group create -g <group> -f deploy/azure/main.bicep \
//     -p authority=https://login.microsoftonline.com/<tenant>/v2.0 clientId=<app id> clientSecret=<secret>
// then, once, the two certificates in the vault (self-signed is right: the silos pin theirs, and the key
// ring's is only an encryption key; Key Vault renews them before they expire):
//   az keyvault certificate create --vault-name <keyVault output> -n silo-tls -p "$(az keyvault certificate get-default-policy)"
//   az keyvault certificate create --vault-name <keyVault output> -n keyring-protection -p "$(az keyvault certificate get-default-policy)"
// and the key that seals ballots' choices in storage (32 random bytes, base64; never rotate it during a round):
//   az keyvault secret set --vault-name <keyVault output> -n ballot-encryption-key --value "$(head -c 32 /dev/urandom | base64)"
// then deploy the published app (dotnet publish src/Chiyoda.Civic.Web -c Release; az webapp deploy ...).
// Until both exist the app refuses to start, naming the setting whose reference did not resolve.
// Why App Service and not Container Apps: Orleans needs every silo reachable on its own address and
// port, which App Service gives each instance (WEBSITE_PRIVATE_IP/PORTS) with the web app co-hosted.

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Prefix of resource names (lower-case letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'chiyoda'

@description('OpenID Connect provider of the ward (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0).')
param authority string

@description('This app\'s registration at the provider.')
param clientId string

@description('The registration\'s client secret.')
@secure()
param clientSecret string

@description('Audience of API bearer tokens.')
param apiAudience string = 'civic-api'

@description('The public host name residents use (e.g. teian.city.chiyoda.lg.jp): links in emails and calendars are made from it, and requests for any other host are refused. Empty: the app\'s azurewebsites.net name.')
param siteHostName string = ''

@description('Instances of the App Service plan: each is a web front end and a silo. See docs/operations.md, Sizing.')
@minValue(2)
@maxValue(30)
param instanceCount int = 3

@description('App Service plan size (Premium v3: VNet integration with private ports).')
@allowed([
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
  'P1mv3'
  'P2mv3'
])
param planSku string = 'P1v3'

@description('Spread instances over availability zones (the region must support it; needs at least 3 instances).')
param zoneRedundant bool = true

@description('Storage redundancy: zone-redundant keeps the votes through the loss of a zone.')
@allowed([
  'Standard_ZRS'
  'Standard_GZRS'
  'Standard_LRS'
])
param storageSku string = 'Standard_ZRS'

@description('Public IP ranges (CIDR) of the operators who export and restore tables; the app reaches storage through the VNet.')
param operatorIpRanges array = []

@description('Orleans service id: the key of all stored grain state. Never change it for a running deployment.')
param serviceId string = 'chiyoda-civic'

@description('Orleans cluster id: silos with the same id form one cluster.')
param clusterId string = 'chiyoda-civic-production'

@description('Key Vault certificate every silo presents to the others and requires of them (mutual TLS).')
param siloCertificateName string = 'silo-tls'

@description('Key Vault certificate the data-protection key ring is encrypted to.')
param keyRingCertificateName string = 'keyring-protection'

@description('Name of the Key Vault secret holding the ballot encryption key (base64 of 32 random bytes).')
param ballotKeySecretName string = 'ballot-encryption-key'

var suffix = uniqueString(resourceGroup().id)
var storageAccountName = take('${namePrefix}civic${suffix}', 24)
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var blobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultName = take('${namePrefix}kv${suffix}', 24)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${namePrefix}-civic-identity'
  location: location
}

resource network 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: '${namePrefix}-civic-vnet'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [
        '10.20.0.0/16'
      ]
    }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.20.1.0/24'
          delegations: [
            {
              name: 'app-service'
              properties: {
                serviceName: 'Microsoft.Web/serverFarms'
              }
            }
          ]
          serviceEndpoints: [
            {
              service: 'Microsoft.Storage'
            }
            {
              service: 'Microsoft.KeyVault'
            }
          ]
        }
      }
    ]
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [
        {
          id: network.properties.subnets[0].id
          action: 'Allow'
        }
      ]
      ipRules: [for range in operatorIpRanges: {
        value: range
        action: 'Allow'
      }]
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 14
    }
  }
}

resource keyRing 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: 'dataprotection'
  properties: {
    publicAccess: 'None'
  }
}

resource tableRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, tableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, blobDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', blobDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// The deployment's secrets. Access by Azure RBAC: the app's identity may read secrets (which include a
// certificate's PKCS#12), nothing more; operators manage them from their IP ranges.
resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      virtualNetworkRules: [
        {
          id: network.properties.subnets[0].id
        }
      ]
      ipRules: [for range in operatorIpRanges: {
        value: range
      }]
    }
  }
}

resource clientSecretEntry 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'authentication-client-secret'
  properties: {
    value: clientSecret
    contentType: 'text/plain'
  }
}

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-civic-plan'
  location: location
  kind: 'linux'
  sku: {
    name: planSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
    zoneRedundant: zoneRedundant
  }
}

var siteName = '${namePrefix}-civic-${suffix}'
var publicHostName = empty(siteHostName) ? '${siteName}.azurewebsites.net' : siteHostName

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: siteName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  // The app reads storage and its secrets from its first start: the roles must be granted before it runs.
  dependsOn: [
    tableRole
    blobRole
    vaultRole
  ]
  properties: {
    serverFarmId: plan.id
    // Key Vault references are resolved with the user-assigned identity (the default would be a system one).
    keyVaultReferenceIdentity: identity.id
    httpsOnly: true
    // Staff editors are interactive Blazor components whose live connection stays on one instance.
    clientAffinityEnabled: true
    virtualNetworkSubnetId: network.properties.subnets[0].id
    vnetRouteAllEnabled: true
    siteConfig: {
      linuxFxVersion: 'DOTNETCORE|10.0'
      alwaysOn: true
      http20Enabled: true
      webSocketsEnabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // Instances whose silo is not an active member get no traffic (503 while joining or leaving).
      healthCheckPath: '/health/ready'
      // One private port per instance, the silo port (WEBSITE_PRIVATE_PORTS). No gateway: every instance
      // co-hosts its front end (a gateway would need a second port and Orleans__GatewayPort).
      vnetPrivatePortsCount: 1
      appSettings: [
        {
          name: 'ASPNETCORE_ENVIRONMENT'
          value: 'Production'
        }
        {
          // TLS ends at the front end; the app must see https to build the sign-in redirect address.
          name: 'ASPNETCORE_FORWARDEDHEADERS_ENABLED'
          value: 'true'
        }
        {
          // DefaultAzureCredential picks the user-assigned identity by this client id.
          name: 'AZURE_CLIENT_ID'
          value: identity.properties.clientId
        }
        {
          name: 'Storage__TableEndpoint'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'Storage__BlobEndpoint'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'Storage__TableName'
          value: 'CivicGrainState'
        }
        {
          name: 'Authentication__Authority'
          value: authority
        }
        {
          name: 'Authentication__ClientId'
          value: clientId
        }
        {
          // Never the secret itself: App Service reads it from the vault (the latest version) at start.
          name: 'Authentication__ClientSecret'
          value: '@Microsoft.KeyVault(SecretUri=${clientSecretEntry.properties.secretUri})'
        }
        {
          name: 'Authentication__ApiAudience'
          value: apiAudience
        }
        {
          // Absolute links (emails, calendars) come from here, never from the request's Host header.
          name: 'Site__Url'
          value: 'https://${publicHostName}/'
        }
        {
          name: 'AllowedHosts'
          value: publicHostName
        }
        {
          name: 'Orleans__Membership'
          value: 'AzureStorage'
        }
        {
          name: 'Orleans__AppService'
          value: 'true'
        }
        {
          name: 'Orleans__ServiceId'
          value: serviceId
        }
        {
          name: 'Orleans__ClusterId'
          value: clusterId
        }
        {
          name: 'DataProtection__KeyRing'
          value: 'Blob'
        }
        {
          name: 'DataProtection__Container'
          value: keyRing.name
        }
        {
          // A Key Vault certificate's secret is its PKCS#12, base64: what the app reads here.
          name: 'DataProtection__Certificate'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${keyRingCertificateName})'
        }
        {
          name: 'Orleans__Tls__Certificate'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${siloCertificateName})'
        }
        {
          // The key that seals each ballot's choices at rest (BallotSealing); created by the operator in the vault.
          name: 'Ballots__EncryptionKey'
          value: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/${ballotKeySecretName})'
        }
        {
          // Take an instance out of the load balancer after 2 failed health checks (a minute apart).
          name: 'WEBSITE_HEALTHCHECK_MAXPINGFAILURES'
          value: '2'
        }
      ]
    }
  }
}

output url string = 'https://${site.properties.defaultHostName}/'
output storageAccount string = storage.name
output identityClientId string = identity.properties.clientId
output keyVault string = vault.name
