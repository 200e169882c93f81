using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// deploy/azure/main.bicep compiles with the Bicep CLI (restored from NuGet as a PackageDownload of
/// the test project, so this runs offline) without errors or linter warnings, and the compiled
/// template gives the web app every setting the platform requires in production, a managed identity
/// with the storage roles it uses, its secrets as Key Vault references that identity may read, and what
/// an App Service silo needs (a VNet private port, health check).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class BicepTemplateTests
{
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private static readonly Lazy<Task<(JsonObject Template, string Diagnostics)>> Compiled = new(CompileAsync);

    [Fact]
    public async Task The_template_compiles_without_errors_or_warnings()
    {
        var (template, diagnostics) = await Compiled.Value;
        Assert.True(string.IsNullOrWhiteSpace(diagnostics), "bicep build reported:\n" + diagnostics);
        Assert.NotEmpty(Resources(template));
    }

    [Fact]
    public async Task The_web_app_gets_every_setting_the_platform_requires_in_production()
    {
        var (template, _) = await Compiled.Value;
        var site = Assert.Single(Resources(template), r => (string)r["type"]! == "Microsoft.Web/sites");
        var siteConfig = site["properties"]!["siteConfig"]!;
        var settings = ProductionSettings.Normalise(siteConfig["appSettings"]!.AsArray()
            .Select(s => KeyValuePair.Create((string)s!["name"]!, (string)s["value"]!)));

        var problems = ProductionSettings.Problems(settings);
        Assert.True(problems.Count == 0, "the web app lacks: " + string.Join("; ", problems));
        Assert.Equal("true", settings["Orleans:AppService"]);
        // No gateway: every instance co-hosts its front end.
        Assert.False(settings.ContainsKey("Orleans:GatewayPort"));

        // Orleans on App Service: each instance's private IP and a private port (the silo's) over VNet integration.
        Assert.True((int)siteConfig["vnetPrivatePortsCount"]! >= 1);
        Assert.NotNull(site["properties"]!["virtualNetworkSubnetId"]);
        Assert.Equal("/health/ready", (string?)siteConfig["healthCheckPath"]);
    }

    [Fact]
    public async Task Secrets_are_key_vault_references_the_managed_identity_may_read()
    {
        var (template, _) = await Compiled.Value;
        var resources = Resources(template);
        var vault = Assert.Single(resources, r => (string)r["type"]! == "Microsoft.KeyVault/vaults");
        Assert.True((bool)vault["properties"]!["enableRbacAuthorization"]!);
        Assert.True((bool)vault["properties"]!["enablePurgeProtection"]!);

        // The client secret (a secure parameter) goes into the vault, and only there.
        Assert.Equal("securestring", (string?)template["parameters"]!["clientSecret"]!["type"], ignoreCase: true);
        var secret = Assert.Single(resources, r => (string)r["type"]! == "Microsoft.KeyVault/vaults/secrets");
        Assert.Equal("[parameters('clientSecret')]", (string?)secret["properties"]!["value"]);

        var site = resources.Single(r => (string)r["type"]! == "Microsoft.Web/sites");
        var appSettings = site["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .ToDictionary(s => (string)s!["name"]!, s => (string)s!["value"]!);
        Assert.DoesNotContain(appSettings.Values, value => value.Contains("parameters('clientSecret')", StringComparison.Ordinal));
        foreach (var name in new[] { "Authentication__ClientSecret", "Orleans__Tls__Certificate", "DataProtection__Certificate", "Ballots__EncryptionKey" })
        {
            Assert.True(appSettings.TryGetValue(name, out var value), $"no app setting {name}");
            Assert.Contains("@Microsoft.KeyVault(SecretUri=", value, StringComparison.Ordinal);
        }

        // Resolved with the user-assigned identity, which holds Key Vault Secrets User on the vault (and the site waits for it).
        Assert.Contains("userAssignedIdentities", (string?)site["properties"]!["keyVaultReferenceIdentity"], StringComparison.Ordinal);
        var variables = template["variables"]!.AsObject();
        var vaultRole = Assert.Single(resources, r => (string)r["type"]! == "Microsoft.Authorization/roleAssignments" &&
            variables.Aggregate((string)r["properties"]!["roleDefinitionId"]!,
                (text, variable) => text.Replace($"variables('{variable.Key}')", variable.Value!.ToJsonString(), StringComparison.Ordinal))
            .Contains(KeyVaultSecretsUser, StringComparison.Ordinal));
        Assert.Contains("Microsoft.KeyVault/vaults", (string?)vaultRole["scope"], StringComparison.Ordinal);
        Assert.Contains(site["dependsOn"]!.AsArray(), d => ((string?)d)?.Contains("roleAssignments", StringComparison.Ordinal) == true &&
            ((string?)d)!.Contains("Microsoft.KeyVault/vaults", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_managed_identity_has_the_table_and_blob_data_roles_on_the_storage_account()
    {
        var (template, _) = await Compiled.Value;
        var resources = Resources(template);
        Assert.Single(resources, r => (string)r["type"]! == "Microsoft.ManagedIdentity/userAssignedIdentities");
        var storage = Assert.Single(resources, r => (string)r["type"]! == "Microsoft.Storage/storageAccounts");
        Assert.False((bool)storage["properties"]!["allowSharedKeyAccess"]!);

        // Role ids are variables in the template: read them through the variables.
        var variables = template["variables"]!.AsObject();
        var roles = resources.Where(r => (string)r["type"]! == "Microsoft.Authorization/roleAssignments")
            .Select(r => variables.Aggregate((string)r["properties"]!["roleDefinitionId"]!,
                (text, variable) => text.Replace($"variables('{variable.Key}')", variable.Value!.ToJsonString(), StringComparison.Ordinal)))
            .ToList();
        Assert.Contains(roles, role => role.Contains(TableDataContributor, StringComparison.Ordinal));
        Assert.Contains(roles, role => role.Contains(BlobDataContributor, StringComparison.Ordinal));

        var site = resources.Single(r => (string)r["type"]! == "Microsoft.Web/sites");
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        var appSettings = site["properties"]!["siteConfig"]!["appSettings"]!.AsArray();
        Assert.Contains(appSettings, s => (string)s!["name"]! == "AZURE_CLIENT_ID");
    }

    private static List<JsonObject> Resources(JsonObject template) => template["resources"] switch
    {
        JsonArray list => [.. list.Select(r => r!.AsObject())],
        // Templates with symbolic names (language version 2.0) keep resources in an object.
        JsonObject named => [.. named.Select(r => r.Value!.AsObject())],
        _ => [],
    };

    private static async Task<(JsonObject, string)> CompileAsync()
    {
        var packageDirectory = typeof(BicepTemplateTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BicepPackageDirectory").Value!;
        var bicep = Path.Combine(packageDirectory, "tools", "bicep");
        Assert.True(File.Exists(bicep), $"the Bicep CLI is not at {bicep}: restore the test project (PackageDownload Azure.Bicep.CommandLine.linux-x64)");

        var start = new ProcessStartInfo(bicep)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        start.ArgumentList.Add("build");
        start.ArgumentList.Add(Path.Combine(Repository.Root, "deploy", "azure", "main.bicep"));
        start.ArgumentList.Add("--stdout");
        // Nothing leaves the machine: the build needs no registry, and telemetry is off.
        start.Environment["BICEP_TELEMETRY_OPT_OUT"] = "true";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"bicep build failed ({process.ExitCode}):\n{await errors}");
        return (JsonNode.Parse(await output)!.AsObject(), await errors);
    }
}
