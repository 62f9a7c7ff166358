using System.Net.Sockets;
using Conference.AppHost.Caddy;
using Conference.AppHost.LiveKit;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Conference.AppHost.Publishing;

/// <summary>
/// The docker compose deployment for one ARM64 host, made from the same model that runs the stack locally:
/// every container and project of the model becomes a service, plus the standalone Aspire dashboard (backups are
/// deploy/backup.sh's, run on the host). Only Caddy (80, 443) and LiveKit's media ports are published on the host.
/// </summary>
sealed class ComposeDeployment
{
    public const string ComposeFileName = "docker-compose.yml";
    public const string EnvironmentExampleFileName = ".env.example";
    public const string Platform = "linux/arm64";

    // The standalone dashboard receives OTLP from the services and shows it behind Caddy at dashboard.DOMAIN.
    const string DashboardService = "aspire-dashboard";
    const string DashboardImage = "mcr.microsoft.com/dotnet/aspire-dashboard:13.5";
    const int DashboardUiPort = 18888;
    const int DashboardOtlpGrpcPort = 18889;

    const string PostgresInitDirectory = "postgres-initdb";

    /// <summary>Settings of the deployment itself, beside the model's parameters.</summary>
    static readonly DeploymentVariable[] DeploymentVariables =
    [
        new("COMPOSE_PROJECT_NAME", "Prefix of containers and volumes; keep it when upgrading, or the data volumes change name.", "conference"),
        new("REGISTRY", "Where the api, web and recorder images are: ghcr.io/OWNER, filled in by the release you downloaded (release.yml pushes them there).", ""),
        new("CONFERENCE_VERSION", "The release (image tag) that runs, e.g. v1.0.0; upgrade.sh writes it once that release is healthy.", ""),
        new("DASHBOARD_BROWSER_TOKEN", "Secret: what you type at https://dashboard.DOMAIN/login to open the dashboard.", "", Secret: true),
        new("DASHBOARD_OTLP_API_KEY", "Secret: the services send telemetry to the dashboard with this key.", "", Secret: true),
        // The description ends like a generated parameter's, so upgrade.sh generates it when a .env lacks it.
        new("BACKUP_PASSPHRASE", "Secret (backup-passphrase: backup.sh encrypts .env in each backup with it; keep a copy away from this host, restore.sh asks for it on a new one): openssl rand -hex 32", "", Secret: true),
    ];

    readonly DistributedApplicationModel model;
    readonly DistributedApplicationExecutionContext executionContext;
    readonly CancellationToken cancellationToken;
    readonly ComposeValues values = new();
    readonly YamlMappingNode services = new();
    readonly SortedSet<string> namedVolumes = new(StringComparer.Ordinal);
    readonly SortedDictionary<string, string> files = new(StringComparer.Ordinal);

    ComposeDeployment(DistributedApplicationModel model, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        this.model = model;
        this.executionContext = executionContext;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>The deployment's files by path relative to the output directory.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> CreateAsync(DistributedApplicationModel model,
        DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        var deployment = new ComposeDeployment(model, executionContext, cancellationToken);
        await deployment.AddServicesAsync();
        deployment.files[ComposeFileName] = deployment.ComposeFile();
        deployment.files[EnvironmentExampleFileName] = deployment.EnvironmentExample();
        return deployment.files;
    }

    async Task AddServicesAsync()
    {
        foreach (var resource in model.Resources.Where(r => r is ContainerResource or ProjectResource))
        {
            var service = await ServiceAsync(resource);
            services.Add(resource.Name, service);

            switch (resource)
            {
                case LiveKitResource liveKit:
                    files["livekit.yaml"] = ConfigFileHeader("LIVEKIT_CONFIG") + await values.WriteAsync(liveKit.Config.Render(), cancellationToken);
                    break;
                case LiveKitEgressResource egress:
                    files["egress.yaml"] = ConfigFileHeader("EGRESS_CONFIG_BODY") + await values.WriteAsync(egress.Config.Render(), cancellationToken);
                    break;
                case PostgresServerResource postgres:
                    AddDatabases(postgres, service);
                    break;
            }
        }
        AddDashboard();
    }

    async Task<YamlMappingNode> ServiceAsync(IResource resource)
    {
        var service = new YamlMappingNode
        {
            { "image", Text(Image(resource)) },
            { "platform", Text(Platform) },
            { "restart", Text("unless-stopped") },
        };

        if (resource is ContainerResource { Entrypoint: { } entrypoint })
        {
            service.Add("entrypoint", Sequence([entrypoint]));
        }
        var arguments = await ArgumentsAsync(resource);
        if (arguments.Count > 0)
        {
            service.Add("command", Sequence(arguments));
        }

        var environment = await EnvironmentAsync(resource);
        if (resource is ProjectResource)
        {
            // Telemetry to the dashboard; the model sets OTEL_EXPORTER_OTLP_ENDPOINT only when it runs locally.
            environment["OTEL_SERVICE_NAME"] = resource.Name;
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://{DashboardService}:{DashboardOtlpGrpcPort}";
            environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc";
            environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={ComposeValues.Required("DASHBOARD_OTLP_API_KEY")}";
        }
        if (environment.ContainsKey("DASHBOARD_SITE_ADDRESS"))
        {
            environment["DASHBOARD_UPSTREAM"] = $"{DashboardService}:{DashboardUiPort}";
        }
        if (environment.Count > 0)
        {
            service.Add("environment", Mapping(environment));
        }

        var ports = PublishedPorts(resource);
        if (ports.Count > 0)
        {
            service.Add("ports", Sequence(ports));
        }

        var volumes = Volumes(resource);
        if (volumes.Count > 0)
        {
            service.Add("volumes", Sequence(volumes));
        }

        var capabilities = await CapabilitiesAsync(resource);
        if (capabilities.Count > 0)
        {
            service.Add("cap_add", Sequence(capabilities));
        }

        service.Add("healthcheck", HealthCheck(ComposeHealthChecks.For(resource)));

        var dependencies = DependsOn(resource);
        if (dependencies.Children.Count > 0)
        {
            service.Add("depends_on", dependencies);
        }
        return service;
    }

    static string Image(IResource resource) => resource switch
    {
        // Built per release by release.yml (dotnet publish /t:PublishContainer, arm64 + amd64), pushed to REGISTRY.
        ProjectResource => $"{ComposeValues.Required("REGISTRY")}/conference-{resource.Name}:{ComposeValues.Required("CONFERENCE_VERSION")}",
        _ when resource.Annotations.OfType<ContainerImageAnnotation>().SingleOrDefault() is { Tag.Length: > 0 } image
            => $"{(string.IsNullOrEmpty(image.Registry) ? "" : image.Registry + "/")}{image.Image}:{image.Tag}",
        _ => throw new InvalidOperationException($"'{resource.Name}' has no pinned image tag; a deployment must not float."),
    };

    async Task<List<string>> ArgumentsAsync(IResource resource)
    {
        var arguments = new List<object>();
        var context = new CommandLineArgsCallbackContext(arguments, resource, cancellationToken) { ExecutionContext = executionContext };
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var written = new List<string>();
        foreach (var argument in arguments)
        {
            written.Add(await values.WriteAsync(argument, cancellationToken));
        }
        return written;
    }

    async Task<Dictionary<string, string>> EnvironmentAsync(IResource resource)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(executionContext, resource, variables, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in variables)
        {
            written[name] = await values.WriteAsync(value, cancellationToken);
        }
        return written;
    }

    /// <summary>
    /// Only endpoints the model marks external and pins to a host port: Caddy's 80/443 and LiveKit's media (and
    /// TURN) ports. Databases, Redis, the services and the dashboard stay on the private compose network.
    /// </summary>
    static List<string> PublishedPorts(IResource resource) =>
        resource is not ContainerResource
            ? []
            : resource.Annotations.OfType<EndpointAnnotation>()
                .Where(e => e.IsExternal && e.Port is not null)
                .Select(e => $"{e.Port}:{ComposeValues.ContainerPort(resource, e)}/{(e.Protocol == ProtocolType.Udp ? "udp" : "tcp")}")
                .ToList();

    List<string> Volumes(IResource resource)
    {
        var mounts = new List<string>();
        foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>())
        {
            var readOnly = mount.IsReadOnly ? ":ro" : "";
            if (mount.Type == ContainerMountType.Volume)
            {
                var name = mount.Source ?? throw new InvalidOperationException($"'{resource.Name}' mounts an anonymous volume at {mount.Target}; name it.");
                namedVolumes.Add(name);
                mounts.Add($"{name}:{mount.Target}{readOnly}");
            }
            else
            {
                // A bind-mounted file (the Caddyfile) is copied beside the compose file, which is all the host gets.
                var source = mount.Source ?? "";
                if (!File.Exists(source))
                {
                    throw new InvalidOperationException($"'{resource.Name}' bind-mounts '{source}', which is not a file; only files can be shipped with the deployment.");
                }
                var fileName = Path.GetFileName(source);
                files[fileName] = resource.Annotations.OfType<TurnOverTlsAnnotation>().Any() && mount.Target == "/etc/caddy/Caddyfile"
                    ? CaddyTurnRoute.AddTo(File.ReadAllText(source))
                    : File.ReadAllText(source);
                mounts.Add($"./{fileName}:{mount.Target}{readOnly}");
            }
        }
        return mounts;
    }

    async Task<List<string>> CapabilitiesAsync(IResource resource)
    {
        var arguments = new List<object>();
        foreach (var callback in resource.Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await callback.Callback(new ContainerRuntimeArgsCallbackContext(arguments, cancellationToken));
        }
        const string CapAdd = "--cap-add=";
        return arguments.Select(argument => argument is string text && text.StartsWith(CapAdd, StringComparison.Ordinal)
                ? text[CapAdd.Length..]
                : throw new InvalidOperationException($"'{resource.Name}' needs container runtime argument '{argument}', which the compose publisher cannot write."))
            .ToList();
    }

    /// <summary>WaitFor in the model becomes "start after it is healthy"; a database waits for its server.</summary>
    static YamlMappingNode DependsOn(IResource resource)
    {
        var conditions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var wait in resource.Annotations.OfType<WaitAnnotation>())
        {
            var target = wait.Resource;
            while (target is IResourceWithParent child)
            {
                target = child.Parent;
            }
            if (target is ContainerResource or ProjectResource)
            {
                conditions[target.Name] = wait.WaitType == WaitType.WaitForCompletion ? "service_completed_successfully" : "service_healthy";
            }
        }
        var dependsOn = new YamlMappingNode();
        foreach (var (service, condition) in conditions)
        {
            dependsOn.Add(service, new YamlMappingNode { { "condition", condition } });
        }
        return dependsOn;
    }

    /// <summary>
    /// The official Postgres image creates one database; ours are created by a script it runs on first start.
    /// deploy/backup.sh reads the same file to know what to back up (it runs on the host, from cron and upgrade.sh,
    /// with pg_dump inside this container so its version is the server's).
    /// </summary>
    void AddDatabases(PostgresServerResource postgres, YamlMappingNode service)
    {
        var databases = model.Resources.OfType<PostgresDatabaseResource>().Where(d => d.Parent == postgres).Select(d => d.DatabaseName).ToList();
        files[$"{PostgresInitDirectory}/create-databases.sql"] =
            "-- Generated by publish-compose: the databases of the model, created when the data volume is first initialised.\n"
            + string.Concat(databases.Select(name => $"CREATE DATABASE \"{name}\";\n"));
        ((YamlSequenceNode)service["volumes"]).Add(Text($"./{PostgresInitDirectory}:/docker-entrypoint-initdb.d:ro"));
    }

    /// <summary>
    /// The standalone dashboard behind Caddy. Login is its browser token (set in .env, so the operator knows it);
    /// OTLP needs the API key. Its image is distroless (no shell, curl or wget), so Docker cannot probe it from
    /// inside: it has no health check, and nothing waits for it — telemetry is dropped, not queued, while it is down.
    /// </summary>
    void AddDashboard()
    {
        namedVolumes.Add("dashboard-keys");
        services.Add(DashboardService, new YamlMappingNode
        {
            { "image", Text(DashboardImage) },
            { "platform", Text(Platform) },
            { "restart", Text("unless-stopped") },
            {
                "environment", Mapping(new Dictionary<string, string>
                {
                    ["DASHBOARD__FRONTEND__AUTHMODE"] = "BrowserToken",
                    ["DASHBOARD__FRONTEND__BROWSERTOKEN"] = ComposeValues.Required("DASHBOARD_BROWSER_TOKEN"),
                    ["DASHBOARD__OTLP__AUTHMODE"] = "ApiKey",
                    ["DASHBOARD__OTLP__PRIMARYAPIKEY"] = ComposeValues.Required("DASHBOARD_OTLP_API_KEY"),
                    ["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true",
                })
            },
            // Keeps login cookies valid across restarts.
            { "volumes", Sequence(["dashboard-keys:/home/app/.aspnet/DataProtection-Keys"]) },
        });
    }

    static YamlMappingNode HealthCheck(string[] test, string startPeriod = "30s") => new()
    {
        { "test", Sequence(test) },
        { "interval", Text("15s") },
        { "timeout", Text("5s") },
        { "retries", new YamlScalarNode("5") },
        { "start_period", Text(startPeriod) },
    };

    string ComposeFile()
    {
        var root = new YamlMappingNode { { "services", services } };
        var volumes = new YamlMappingNode();
        foreach (var volume in namedVolumes)
        {
            volumes.Add(volume, new YamlMappingNode());
        }
        root.Add("volumes", volumes);

        using var writer = new StringWriter { NewLine = "\n" };
        writer.Write("""
            # Generated by the publish-compose step from Conference.AppHost's model; do not edit (see docs/deploy.md).
            # Every ${VARIABLE} comes from .env beside this file (template: .env.example).

            """);
        new YamlStream(new YamlDocument(root)).Save(new Emitter(writer, 2, int.MaxValue), assignAnchors: false);
        return writer.ToString().Replace("\n...\n", "\n");
    }

    string EnvironmentExample()
    {
        var parameters = values.Parameters.Select(p => new DeploymentVariable(
            p.Key,
            Describe(p.Value),
            p.Value.Default is null or GenerateParameterDefault ? "" : p.Value.Default.GetDefaultValue(),
            p.Value.Secret));

        using var writer = new StringWriter { NewLine = "\n" };
        writer.Write("""
            # Settings of the Conference deployment. Copy to .env beside docker-compose.yml, fill in every empty value,
            # and keep it on the host only (chmod 600 .env); it is the one place secrets live.
            # Generate each secret with:  openssl rand -hex 32
            # (hex on purpose: the secrets end up inside URLs and YAML, where hex needs no escaping.)

            """);
        foreach (var variable in DeploymentVariables.Concat(parameters))
        {
            writer.WriteLine();
            writer.WriteLine($"# {variable.Description}");
            writer.WriteLine($"{variable.Name}={variable.Example}");
        }
        return writer.ToString();
    }

    static string Describe(ParameterResource parameter)
    {
        var description = string.IsNullOrWhiteSpace(parameter.Description) ? parameter.Name : parameter.Description;
        return parameter switch
        {
            { Secret: true, Default: GenerateParameterDefault } => $"Secret ({description}): openssl rand -hex 32",
            { Secret: true } => $"Secret ({description}): given to you by the service it belongs to.",
            { Default: not null } => $"{description} (default {parameter.Default.GetDefaultValue()})",
            _ => description,
        };
    }

    static string ConfigFileHeader(string variable) => $"""
        # Generated by publish-compose from the AppHost model; do not edit (see docs/decisions/0001-compose-secrets.md).
        # For reading and review: docker-compose.yml hands this same text to the container as {variable}, and compose
        # fills each {"${VARIABLE}"} from .env when it starts the stack, so no secret is written here.

        """;

    static YamlScalarNode Text(string value) =>
        new(value) { Style = value.Contains('\n') ? ScalarStyle.Literal : ScalarStyle.DoubleQuoted };

    static YamlSequenceNode Sequence(IEnumerable<string> items) => new(items.Select(Text));

    static YamlMappingNode Mapping(IEnumerable<KeyValuePair<string, string>> entries)
    {
        var mapping = new YamlMappingNode();
        foreach (var (key, value) in entries)
        {
            mapping.Add(key, Text(value));
        }
        return mapping;
    }

    sealed record DeploymentVariable(string Name, string Description, string Example, bool Secret = false);
}
