using Conference.AppHost.Publishing;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>
/// The .NET images have bash but no curl or wget, so their compose health check speaks HTTP through bash's
/// /dev/tcp. Run here, the very command compose runs must tell 200 from 503 and from nobody listening.
/// </summary>
public sealed class HealthProbeTests
{
    [Fact]
    public async Task The_bash_probe_passes_on_200_and_fails_on_503_or_a_closed_port()
    {
        await using var service = await StubUpstream.StartAsync("api");

        Assert.Equal(0, await ProbeAsync(service.Port));

        service.HealthStatus = 503;
        Assert.NotEqual(0, await ProbeAsync(service.Port));

        Assert.NotEqual(0, await ProbeAsync(LocalMachine.FreePort()));
    }

    static async Task<int> ProbeAsync(int port)
    {
        var test = ComposeHealthChecks.HttpProbeWithBash(port, "/health");
        Assert.Equal("CMD", test[0]);
        var (exitCode, _, _) = await ExternalCommand.RunAsync(LocalMachine.FindExecutable(test[1], "/usr/bin", "/bin"), test[2..], Path.GetTempPath());
        return exitCode;
    }
}
