using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Chiyoda.Civic.Tests.Infrastructure;

namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// deploy/azure/main.bicep compiles with the Bicep CLI (restored from NuGet as a PackageDownload of
/// the test project, so this runs offline) without errors or linter warnings, and the compiled
/// template gives the web app every setting the platform requires in production, a managed identity
/// with the storage roles it uses, and what an App Service silo needs (VNet private ports, health check).
/// </summary>
public sealed class BicepTemplateTests
{
    private const string TableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
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
        // The client secret comes from a secure parameter, never a literal in the template.
        Assert.StartsWith("[parameters(", settings["Authentication:ClientSecret"], StringComparison.Ordinal);
        Assert.Equal("securestring", (string?)template["parameters"]!["clientSecret"]!["type"], ignoreCase: true);

        // Orleans on App Service: each instance's private IP and two private ports (silo, gateway) over VNet integration.
        Assert.True((int)siteConfig["vnetPrivatePortsCount"]! >= 2);
        Assert.NotNull(site["properties"]!["virtualNetworkSubnetId"]);
        Assert.Equal("/health/ready", (string?)siteConfig["healthCheckPath"]);
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
