namespace Conference.Tests.AppHost;

/// <summary>Stopping the AppHost stops every process it started: nothing of a test run is left behind.</summary>
[Collection(nameof(ProcessesRunCollection))]
public sealed class NoProcessSurvivesTests
{
    [Fact]
    public async Task Stopping_the_apphost_ends_postgres_redis_and_caddy()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"conference-stop-{Guid.NewGuid():N}");
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Conference_AppHost>(
            ["--Conference:Runtime=Processes", $"--Conference:DataDirectory={dataDirectory}"]);
        var app = await appHost.BuildAsync();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync("redis").WaitAsync(TimeSpan.FromSeconds(60));
        await app.ResourceNotifications.WaitForResourceHealthyAsync("postgres").WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEmpty(LocalProcesses.CommandLinesContaining(dataDirectory));

        await app.StopAsync();
        await app.DisposeAsync();

        var survivors = await LocalProcesses.WaitUntilNoneContainAsync(dataDirectory, TimeSpan.FromSeconds(30));
        Assert.Empty(survivors);
        Directory.Delete(dataDirectory, recursive: true);
    }
}
