namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// What the platform needs to start outside development, written down once from its start-up checks
/// (<c>StorageSettings</c>, <c>IdentitySettings</c>, <c>ClusterSettings</c>, <c>DataProtectionSettings</c>, <c>SiteSettings</c>
/// in src/Chiyoda.Civic.Web/Hosting, <c>SiloTlsSettings</c> in src/Chiyoda.Civic.Web/Security). The manifests in deploy/ are checked against it, and
/// <see cref="ProductionStartTests"/> starts the platform with a set it accepts, so a rule that drifts
/// from the code fails one side or the other.
/// </summary>
public static class ProductionSettings
{
    /// <summary>Settings as a deployment writes them: environment variable names ("__" for ":") or configuration keys.</summary>
    public static Dictionary<string, string> Normalise(IEnumerable<KeyValuePair<string, string>> settings)
    {
        var normalised = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            normalised[key.Replace("__", ":", StringComparison.Ordinal)] = value;
        }

        return normalised;
    }

    /// <summary>Every reason the platform would refuse to start (or start wrongly) with these settings; empty when it would start.</summary>
    public static List<string> Problems(IReadOnlyDictionary<string, string> settings)
    {
        var problems = new List<string>();
        bool Has(string key) => settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value);
        bool Is(string key, string expected) => settings.TryGetValue(key, out var value) && string.Equals(value, expected, StringComparison.OrdinalIgnoreCase);
        void Require(bool condition, string problem)
        {
            if (!condition)
            {
                problems.Add(problem);
            }
        }

        if (settings.TryGetValue("ASPNETCORE_ENVIRONMENT", out var environment))
        {
            Require(!string.Equals(environment, "Development", StringComparison.OrdinalIgnoreCase), "ASPNETCORE_ENVIRONMENT is Development");
        }

        Require(Has("Storage:ConnectionString") || Has("Storage:TableEndpoint"), "Storage:ConnectionString or Storage:TableEndpoint");
        foreach (var key in new[] { "Authentication:Authority", "Authentication:ClientId", "Authentication:ClientSecret" })
        {
            Require(Has(key), key);
        }

        Require(Is("Orleans:Membership", "AzureStorage"), "Orleans:Membership=AzureStorage");
        // The defaults are for development; a deployment names its own (grain state is keyed by the service id).
        Require(Has("Orleans:ServiceId"), "Orleans:ServiceId");
        Require(Has("Orleans:ClusterId"), "Orleans:ClusterId");

        if (Is("DataProtection:KeyRing", "Blob"))
        {
            Require(Has("Storage:ConnectionString") || Has("Storage:BlobEndpoint"), "Storage:ConnectionString or Storage:BlobEndpoint (for DataProtection:KeyRing=Blob)");
        }
        else if (Is("DataProtection:KeyRing", "Folder"))
        {
            Require(Has("DataProtection:Folder"), "DataProtection:Folder (for DataProtection:KeyRing=Folder)");
        }
        else
        {
            problems.Add("DataProtection:KeyRing=Blob or Folder");
        }

        // Keys stored encrypted to a certificate; silos talking mutual TLS with one (SiloTlsSettings, ConfiguredCertificate).
        Require(Has("DataProtection:Certificate") || Has("DataProtection:CertificatePath"), "DataProtection:Certificate or DataProtection:CertificatePath (the key ring protected at rest)");
        Require(Has("Orleans:Tls:Certificate") || Has("Orleans:Tls:CertificatePath"), "Orleans:Tls:Certificate or Orleans:Tls:CertificatePath (silo-to-silo TLS)");
        // Ballots' choices sealed at rest with the application's key (BallotEncryptionKey).
        Require(Has("Ballots:EncryptionKey") || Has("Ballots:EncryptionKeyFile"), "Ballots:EncryptionKey or Ballots:EncryptionKeyFile (ballots sealed at rest)");
        Require(!(Has("DataProtection:Certificate") && Has("DataProtection:CertificatePath")), "only one of DataProtection:Certificate and DataProtection:CertificatePath");
        Require(!(Has("Orleans:Tls:Certificate") && Has("Orleans:Tls:CertificatePath")), "only one of Orleans:Tls:Certificate and Orleans:Tls:CertificatePath");
        // SiteSettings: the host names answered to (never "*") and the one source of absolute links.
        Require(Has("AllowedHosts") && settings["AllowedHosts"].Trim() != "*", "AllowedHosts (the site's host names, not *)");
        Require(Has("Site:Url") || Has("Email:SiteUrl"), "Site:Url");

        var kubernetes = Is("Orleans:Kubernetes", "true");
        var appService = Is("Orleans:AppService", "true");
        Require(!(kubernetes && appService), "only one of Orleans:Kubernetes and Orleans:AppService");
        if (kubernetes)
        {
            foreach (var key in new[] { "POD_NAME", "POD_NAMESPACE", "POD_IP" })
            {
                Require(Has(key), key + " (Orleans:Kubernetes=true)");
            }

            // Orleans' Kubernetes hosting takes these over Orleans:ServiceId/ClusterId; they must agree.
            Require(Has("ORLEANS_SERVICE_ID") && settings["ORLEANS_SERVICE_ID"] == settings.GetValueOrDefault("Orleans:ServiceId"), "ORLEANS_SERVICE_ID equal to Orleans:ServiceId");
            Require(Has("ORLEANS_CLUSTER_ID") && settings["ORLEANS_CLUSTER_ID"] == settings.GetValueOrDefault("Orleans:ClusterId"), "ORLEANS_CLUSTER_ID equal to Orleans:ClusterId");
        }

        return problems;
    }
}
