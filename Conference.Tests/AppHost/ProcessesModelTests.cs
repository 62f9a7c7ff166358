namespace Conference.Tests.AppHost;

/// <summary>The Processes variant's model: no container anywhere, or start-up would block for a minute and fail.</summary>
public sealed class ProcessesModelTests(ProcessesModelFixture fixture) : IClassFixture<ProcessesModelFixture>
{
    readonly DistributedApplication app = fixture.App;

    [Fact]
    public async Task The_web_runs_with_two_malloc_arenas()
    {
        // Measured by bench/web-call.sh: glibc's default (8 arenas a core) cost the web ~7 MB of RSS in a call.
        Assert.Equal("2", (await app.Resource("web").PublishedEnvironmentAsync())["MALLOC_ARENA_MAX"]);
    }

    [Fact]
    public void Holds_no_container()
    {
        Assert.Empty(app.Resources().OfType<ContainerResource>().Select(r => r.Name));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    public void Runs_postgres_and_redis_as_local_processes_with_connection_strings(string name)
    {
        var resource = app.Resource(name);
        Assert.IsAssignableFrom<ExecutableResource>(resource);
        Assert.IsAssignableFrom<IResourceWithConnectionString>(resource);
        Assert.NotEmpty(resource.Annotations.OfType<HealthCheckAnnotation>());
    }

    [Fact]
    public void What_cannot_run_here_is_shown_as_unavailable_and_nothing_waits_for_it()
    {
        var egress = app.Resource("egress");
        var state = egress.Annotations.OfType<ResourceSnapshotAnnotation>().Single().InitialSnapshot.State;
        Assert.Equal("Unavailable", state?.Text);

        var waitedFor = app.Resources().SelectMany(r => r.Annotations.OfType<WaitAnnotation>()).Select(w => w.Resource.Name);
        Assert.DoesNotContain("egress", waitedFor);
        Assert.DoesNotContain("storage", waitedFor);
        Assert.DoesNotContain("livekit", waitedFor);
    }

    [Fact]
    public async Task The_database_connection_strings_name_their_databases()
    {
        var conference = (IResourceWithConnectionString)app.Resource("conference");
        Assert.EndsWith(";Database=conference", conference.ConnectionStringExpression.ValueExpression);
        var api = await app.Resource("api").PublishedEnvironmentAsync();
        Assert.Contains("ConnectionStrings__conference", api.Keys);
        Assert.Contains("ConnectionStrings__redis", api.Keys);
    }
}

public sealed class ProcessesModelFixture : IAsyncLifetime
{
    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await AppModel.BuildAsync("--Conference:Runtime=Processes", $"--Conference:DataDirectory={Path.GetTempPath()}/conference-model-test");

    public async Task DisposeAsync() => await App.DisposeAsync();
}
