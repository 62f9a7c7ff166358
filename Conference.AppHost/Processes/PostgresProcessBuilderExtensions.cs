using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Conference.AppHost.Processes;

public static class PostgresProcessBuilderExtensions
{
    /// <summary>
    /// Adds PostgreSQL as a local process keeping its data in <paramref name="preferredDataDirectory"/> (or, as root,
    /// where the postgres user can reach it: see <see cref="PostgresDataDirectory"/>); <c>initdb</c> runs the first
    /// time only, with the password parameter, so the data outlives restarts like a volume does.
    /// </summary>
    public static IResourceBuilder<PostgresProcessResource> AddPostgresProcess(this IDistributedApplicationBuilder builder,
        string name, IResourceBuilder<ParameterResource> password, string preferredDataDirectory)
    {
        var data = PostgresDataDirectory.For(preferredDataDirectory);
        var dataDirectory = data.Path;
        var binaries = Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")) : [];
        var postgresPath = LocalCommand.Find("postgres", binaries)
            ?? throw new InvalidOperationException("PostgreSQL's server binaries were not found: install the postgresql package.");
        var initdbPath = Path.Combine(Path.GetDirectoryName(postgresPath)!, "initdb");
        if (!File.Exists(initdbPath))
        {
            initdbPath = LocalCommand.Find("initdb", binaries) ?? throw new InvalidOperationException("initdb was not found next to postgres.");
        }

        var resource = new PostgresProcessResource(name, LocalCommand.IsRoot ? "runuser" : postgresPath, dataDirectory, password.Resource);
        var postgres = builder.AddResource(resource)
            .WithEndpoint(name: PostgresProcessResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                if (LocalCommand.IsRoot)
                {
                    context.Args.Add("-u");
                    context.Args.Add("postgres");
                    context.Args.Add("--");
                    context.Args.Add(postgresPath);
                }
                context.Args.Add("-D");
                context.Args.Add(dataDirectory);
                context.Args.Add("-p");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                // The socket goes in the data directory: /var/run/postgresql may not exist or be writable.
                context.Args.Add("-k");
                context.Args.Add(dataDirectory);
            });

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (@event, cancellationToken) =>
        {
            // Said on the console too when it moved: nobody should have to hunt for their database.
            @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource).LogInformation("{Where}", data.Explanation);
            if (data.Moved)
            {
                @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PostgresProcessBuilderExtensions))
                    .LogInformation("{Where}", data.Explanation);
            }
            await InitializeDataDirectoryAsync(initdbPath, dataDirectory, resource.PasswordParameter, cancellationToken);
        });

        builder.Eventing.Subscribe<ResourceReadyEvent>(resource, async (@event, cancellationToken) =>
        {
            var notifications = @event.Services.GetRequiredService<ResourceNotificationService>();
            await using var dataSource = NpgsqlDataSource.Create(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken) ?? "");
            foreach (var database in resource.Databases)
            {
                await CreateDatabaseIfMissingAsync(dataSource, database.DatabaseName, cancellationToken);
                await notifications.PublishUpdateAsync(database, state => state with { State = KnownResourceStates.Running });
            }
        });

        return postgres.WithPostgresHealthCheck(resource);
    }

    public static IResourceBuilder<PostgresProcessDatabaseResource> AddDatabase(this IResourceBuilder<PostgresProcessResource> postgres,
        string name, string? databaseName = null)
    {
        var database = new PostgresProcessDatabaseResource(name, databaseName ?? name, postgres.Resource);
        postgres.Resource.Databases.Add(database);
        return postgres.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .WithPostgresHealthCheck(database);
    }

    static IResourceBuilder<T> WithPostgresHealthCheck<T>(this IResourceBuilder<T> builder, IResourceWithConnectionString resource)
        where T : IResource
    {
        var key = $"{resource.Name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => new PostgresHealthCheck(resource), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }

    static async Task InitializeDataDirectoryAsync(string initdbPath, string dataDirectory, ParameterResource password,
        CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        var passwordFile = Path.Combine(Path.GetTempPath(), $"conference-pg-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(passwordFile, await password.GetValueAsync(cancellationToken), cancellationToken);
        try
        {
            string[] initdb = [initdbPath, "-D", dataDirectory, "-U", "postgres", "--auth=scram-sha-256", $"--pwfile={passwordFile}", "--encoding=UTF8"];
            if (LocalCommand.IsRoot)
            {
                await LocalCommand.RunAsync("chown", ["postgres", dataDirectory, passwordFile], cancellationToken);
                // In the data directory: the postgres user may not be allowed into the AppHost's working directory.
                await LocalCommand.RunAsync("runuser", ["-u", "postgres", "--", .. initdb], cancellationToken, workingDirectory: dataDirectory);
            }
            else
            {
                await LocalCommand.RunAsync(initdb[0], initdb[1..], cancellationToken, workingDirectory: dataDirectory);
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    static async Task CreateDatabaseIfMissingAsync(NpgsqlDataSource dataSource, string databaseName, CancellationToken cancellationToken)
    {
        await using var exists = dataSource.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1");
        exists.Parameters.AddWithValue(databaseName);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Identifiers cannot be parameters; the name comes from the AppHost's own code, and is quoted.
            await using var create = dataSource.CreateCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "\"\"")}\"");
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    sealed class PostgresHealthCheck(IResourceWithConnectionString resource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = new NpgsqlConnection(await resource.ConnectionStringExpression.GetValueAsync(cancellationToken));
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or System.Net.Sockets.SocketException)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        }
    }
}
