using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Chiyoda.Civic.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Chiyoda.Civic.Tests.Deploy;

/// <summary>
/// deploy/kubernetes: every document parses, and every Deployment's pods get every setting the
/// platform refuses to start without, the probes on the health endpoints, resources, the
/// permissions Orleans' Kubernetes hosting uses, their certificates from Secrets, and a NetworkPolicy
/// that lets only silo pods reach a silo port.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed partial class KubernetesManifestTests
{
    private static readonly string Folder = Path.Combine(Repository.Root, "deploy", "kubernetes");
    private static readonly Lazy<List<(string File, JsonObject Document)>> Documents = new(Load);

    [Fact]
    public void Every_document_parses_names_its_kind_and_is_listed_in_the_kustomization()
    {
        var kinds = Documents.Value.Select(d => (string)d.Document["kind"]!).ToList();
        foreach (var (file, document) in Documents.Value)
        {
            Assert.False(string.IsNullOrEmpty((string?)document["apiVersion"]), $"{file}: no apiVersion");
            // A kustomization is kustomize's own file, not a Kubernetes object: it has no name.
            Assert.True((string?)document["kind"] == "Kustomization" || !string.IsNullOrEmpty((string?)document["metadata"]?["name"]), $"{file}: no metadata.name");
        }

        foreach (var kind in new[] { "Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "Secret", "ServiceAccount", "Role", "RoleBinding", "NetworkPolicy", "Kustomization" })
        {
            Assert.Contains(kind, kinds);
        }

        var kustomization = Documents.Value.Single(d => (string)d.Document["kind"]! == "Kustomization").Document;
        var listed = kustomization["resources"]!.AsArray().Select(r => (string)r!).Order();
        var files = Documents.Value.Select(d => d.File).Where(f => f != "kustomization.yaml").Distinct().Order();
        Assert.Equal(files, listed);
    }

    [Fact]
    public void Every_deployment_provides_every_setting_the_platform_requires_in_production()
    {
        var deployments = OfKind("Deployment").ToList();
        Assert.NotEmpty(deployments);
        foreach (var deployment in deployments)
        {
            var name = (string)deployment["metadata"]!["name"]!;
            var settings = ProductionSettings.Normalise(EnvironmentOf(deployment));
            var problems = ProductionSettings.Problems(settings);
            Assert.True(problems.Count == 0, $"{name} lacks: {string.Join("; ", problems)}");
            Assert.Equal("true", settings["Orleans:Kubernetes"]);
            // A managed identity instead of keys: the workload identity webhook supplies AZURE_CLIENT_ID.
            if (!settings.ContainsKey("Storage:ConnectionString"))
            {
                Assert.Equal("true", (string?)PodLabels(deployment)["azure.workload.identity/use"]);
                var account = ServiceAccountOf(deployment);
                Assert.False(string.IsNullOrEmpty((string?)account["metadata"]!["annotations"]?["azure.workload.identity/client-id"]), $"{name}: service account without a workload identity");
            }
        }

        // Secrets stay out of the ConfigMap.
        foreach (var map in OfKind("ConfigMap"))
        {
            Assert.DoesNotContain(map["data"]!.AsObject(), entry => SecretName().IsMatch(entry.Key));
        }
    }

    [Fact]
    public void Pods_are_probed_on_the_health_endpoints_have_resources_and_may_do_what_orleans_hosting_does()
    {
        foreach (var deployment in OfKind("Deployment"))
        {
            var name = (string)deployment["metadata"]!["name"]!;
            var container = Assert.Single(PodSpec(deployment)["containers"]!.AsArray())!;
            var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
            Assert.Equal("/health/ready", (string?)container["readinessProbe"]?["httpGet"]?["path"]);
            Assert.Equal("/health", (string?)container["livenessProbe"]?["httpGet"]?["path"]);
            Assert.Contains((string)container["readinessProbe"]!["httpGet"]!["port"]!, ports.Keys);
            Assert.Contains((string)container["livenessProbe"]!["httpGet"]!["port"]!, ports.Keys);
            Assert.Contains("silo", ports.Keys);
            foreach (var part in new[] { "requests", "limits" })
            {
                Assert.False(string.IsNullOrEmpty((string?)container["resources"]?[part]?["cpu"]), $"{name}: no cpu {part}");
                Assert.False(string.IsNullOrEmpty((string?)container["resources"]?[part]?["memory"]), $"{name}: no memory {part}");
            }

            // Orleans' Kubernetes hosting reads its pod, labels it, watches the cluster's pods and deletes dead silos' pods.
            var account = (string)ServiceAccountOf(deployment)["metadata"]!["name"]!;
            var binding = OfKind("RoleBinding").Single(b => b["subjects"]!.AsArray().Any(s => (string)s!["kind"]! == "ServiceAccount" && (string)s["name"]! == account));
            var role = OfKind("Role").Single(r => (string)r["metadata"]!["name"]! == (string)binding["roleRef"]!["name"]!);
            var podVerbs = role["rules"]!.AsArray()
                .Where(rule => rule!["resources"]!.AsArray().Any(r => (string)r! == "pods"))
                .SelectMany(rule => rule!["verbs"]!.AsArray().Select(v => (string)v!)).ToHashSet();
            Assert.Superset(new HashSet<string> { "get", "list", "watch", "patch", "delete" }, podVerbs);
        }
    }

    [Fact]
    public void The_service_and_the_disruption_budget_select_the_pods()
    {
        var pods = OfKind("Deployment").Select(d => (Name: (string)d["metadata"]!["name"]!, Labels: PodLabels(d))).ToList();

        var service = Assert.Single(OfKind("Service"));
        var selected = pods.Where(p => Selects(service["spec"]!["selector"]!.AsObject(), p.Labels)).ToList();
        var web = Assert.Single(selected);
        var targetPort = (string)service["spec"]!["ports"]![0]!["targetPort"]!;
        Assert.Contains(PodSpec(OfKind("Deployment").Single(d => (string)d["metadata"]!["name"]! == web.Name))["containers"]![0]!["ports"]!.AsArray(),
            p => (string)p!["name"]! == targetPort);

        var budget = Assert.Single(OfKind("PodDisruptionBudget"));
        Assert.All(pods, p => Assert.True(Selects(budget["spec"]!["selector"]!["matchLabels"]!.AsObject(), p.Labels), $"the disruption budget misses {p.Name}"));
        Assert.Equal(1, (int)budget["spec"]!["maxUnavailable"]!);
    }

    [Fact]
    public void A_network_policy_admits_silo_ports_only_from_silo_pods_and_the_web_port_only_from_the_ingress()
    {
        var policies = OfKind("NetworkPolicy").ToList();
        Assert.NotEmpty(policies);
        var pods = OfKind("Deployment").Select(d => (Name: (string)d["metadata"]!["name"]!, Labels: PodLabels(d), Deployment: d)).ToList();
        foreach (var (name, labels, deployment) in pods)
        {
            var container = PodSpec(deployment)["containers"]![0]!;
            var ports = container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);
            // The gateway is off unless configured, and no deployment configures or exposes one.
            Assert.False(ProductionSettings.Normalise(EnvironmentOf(deployment)).ContainsKey("Orleans:GatewayPort"), $"{name} opens a gateway");
            Assert.Equal(["http", "silo"], ports.Keys.Order());

            var selecting = policies.Where(p => Selects(p["spec"]!["podSelector"]!["matchLabels"]!.AsObject(), labels)).ToList();
            Assert.True(selecting.Count > 0, $"no NetworkPolicy selects {name}'s pods: every pod in the cluster may reach its silo port");
            var admitted = new HashSet<string>();
            foreach (var policy in selecting)
            {
                Assert.Contains("Ingress", policy["spec"]!["policyTypes"]!.AsArray().Select(t => (string)t!));
                foreach (var rule in policy["spec"]!["ingress"]?.AsArray() ?? [])
                {
                    // A rule without 'from' admits every source, one without 'ports' every port.
                    var from = rule!["from"]?.AsArray();
                    var rulePorts = rule["ports"]?.AsArray();
                    Assert.True(from is { Count: > 0 } && rulePorts is { Count: > 0 }, $"{name}: an ingress rule open to every source or every port");
                    // A port is named or numbered: read both as the container port's name.
                    var named = rulePorts.Select(p => p!["port"]?.ToString() ?? "")
                        .Select(p => ports.FirstOrDefault(c => c.Key == p || c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) == p).Key ?? p).ToList();
                    Assert.True(named.All(ports.ContainsKey), $"{name}: a rule admits a port the pod does not name ({string.Join(", ", named)})");
                    admitted.UnionWith(named);
                    if (named.Contains("silo"))
                    {
                        // Silo port: only pods of this namespace that carry the silos' labels, nothing else.
                        Assert.Equal(["silo"], named);
                        foreach (var peer in from)
                        {
                            Assert.True(peer!["namespaceSelector"] is null && peer["ipBlock"] is null, $"{name}: the silo port is open beyond this namespace's pods");
                            var selector = peer["podSelector"]?["matchLabels"]?.AsObject();
                            Assert.True(selector is { Count: > 0 }, $"{name}: the silo port is open to every pod of the namespace");
                            Assert.All(pods, p => Assert.True(Selects(selector, p.Labels), $"the silo port's peers leave out {p.Name}"));
                        }
                    }
                    else
                    {
                        // The web port: from the ingress controller's namespace.
                        Assert.Equal(["http"], named);
                        Assert.All(from, peer => Assert.NotNull(peer!["namespaceSelector"]?["matchLabels"]));
                    }
                }
            }

            Assert.Contains("silo", admitted);
            Assert.Contains("http", admitted);
        }
    }

    [Fact]
    public void Certificates_are_files_of_mounted_secrets()
    {
        foreach (var deployment in OfKind("Deployment"))
        {
            var name = (string)deployment["metadata"]!["name"]!;
            var settings = ProductionSettings.Normalise(EnvironmentOf(deployment));
            var mounts = PodSpec(deployment)["containers"]![0]!["volumeMounts"]!.AsArray();
            var volumes = PodSpec(deployment)["volumes"]!.AsArray();
            foreach (var key in new[] { "Orleans:Tls:CertificatePath", "Orleans:Tls:KeyPath", "DataProtection:CertificatePath", "DataProtection:KeyPath" })
            {
                Assert.True(settings.TryGetValue(key, out var path), $"{name}: no {key}");
                var mount = mounts.SingleOrDefault(m => path.StartsWith((string)m!["mountPath"]! + "/", StringComparison.Ordinal));
                Assert.True(mount is not null, $"{name}: {key}={path} is on no mounted volume");
                Assert.True((string?)mount["readOnly"] == "true", $"{name}: the volume of {key} is writable");
                var volume = volumes.Single(v => (string)v!["name"]! == (string)mount["name"]!)!;
                var secretName = (string?)volume["secret"]?["secretName"];
                Assert.True(secretName is not null, $"{name}: {key} is not on a Secret volume");
                Assert.Contains(Path.GetFileName(path), DataOf("Secret", secretName).Keys);
            }

            // Two certificates, not one reused: the key ring's is not the one every silo connection shows.
            Assert.NotEqual(Path.GetDirectoryName(settings["Orleans:Tls:CertificatePath"]), Path.GetDirectoryName(settings["DataProtection:CertificatePath"]));
        }
    }

    private static bool Selects(JsonObject selector, JsonObject labels) => selector.All(s => (string?)labels[s.Key] == (string?)s.Value);

    private static IEnumerable<JsonObject> OfKind(string kind) =>
        Documents.Value.Where(d => (string)d.Document["kind"]! == kind).Select(d => d.Document);

    private static JsonObject PodSpec(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!.AsObject();

    private static JsonObject PodLabels(JsonObject deployment) => deployment["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

    private static JsonObject ServiceAccountOf(JsonObject deployment)
    {
        var name = (string?)PodSpec(deployment)["serviceAccountName"] ?? "default";
        return OfKind("ServiceAccount").Single(a => (string)a["metadata"]!["name"]! == name);
    }

    /// <summary>The container's environment as the pod would see it: envFrom first, then env (which wins), with references resolved.</summary>
    private static Dictionary<string, string> EnvironmentOf(JsonObject deployment)
    {
        var container = PodSpec(deployment)["containers"]![0]!;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"]?.AsArray() ?? [])
        {
            var (kind, reference) = source!["configMapRef"] is { } map ? ("ConfigMap", map) : ("Secret", source["secretRef"]!);
            foreach (var (key, value) in DataOf(kind, (string)reference["name"]!))
            {
                environment[key] = value;
            }
        }

        foreach (var variable in container["env"]?.AsArray() ?? [])
        {
            var name = (string)variable!["name"]!;
            if (variable["value"] is { } value)
            {
                environment[name] = (string)value!;
            }
            else if (variable["valueFrom"]?["fieldRef"]?["fieldPath"] is { } field)
            {
                var path = (string)field!;
                var label = LabelReference().Match(path);
                environment[name] = label.Success
                    ? (string?)PodLabels(deployment)[label.Groups["label"].Value] ?? ""
                    : path is "metadata.name" or "metadata.namespace" or "status.podIP" ? $"<{path}>" : "";
            }
            else if (variable["valueFrom"]?["configMapKeyRef"] is { } mapKey)
            {
                environment[name] = DataOf("ConfigMap", (string)mapKey["name"]!).GetValueOrDefault((string)mapKey["key"]!, "");
            }
            else if (variable["valueFrom"]?["secretKeyRef"] is { } secretKey)
            {
                environment[name] = DataOf("Secret", (string)secretKey["name"]!).GetValueOrDefault((string)secretKey["key"]!, "");
            }
        }

        return environment;
    }

    private static Dictionary<string, string> DataOf(string kind, string name)
    {
        var document = OfKind(kind).SingleOrDefault(d => (string)d["metadata"]!["name"]! == name);
        Assert.True(document is not null, $"no {kind} named {name}");
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in new[] { "data", "stringData" })
        {
            foreach (var (key, value) in document[section]?.AsObject() ?? [])
            {
                data[key] = kind == "Secret" && section == "data" ? "<base64>" : (string)value!;
            }
        }

        return data;
    }

    private static List<(string File, JsonObject Document)> Load()
    {
        var documents = new List<(string, JsonObject)>();
        var files = Directory.GetFiles(Folder, "*.yaml").Order().ToList();
        Assert.NotEmpty(files);
        foreach (var path in files)
        {
            var stream = new YamlStream();
            using (var reader = new StreamReader(path))
            {
                stream.Load(reader);
            }

            foreach (var document in stream.Documents)
            {
                var root = ToJson(document.RootNode);
                Assert.True(root is JsonObject, $"{Path.GetFileName(path)}: a document that is not a mapping");
                documents.Add((Path.GetFileName(path), (JsonObject)root!));
            }
        }

        return documents;
    }

    /// <summary>YAML to JSON nodes; scalars stay text (as Kubernetes would read "3" and 3 alike where it matters here), except plain integers.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when int.TryParse(scalar.Value, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException("unexpected YAML node " + node.NodeType),
    };

    [GeneratedRegex(@"^metadata\.labels\['(?<label>[^']+)'\]$")]
    private static partial Regex LabelReference();

    [GeneratedRegex("(?i)secret|password|connectionstring|accountkey|encryptionkey")]
    private static partial Regex SecretName();
}
