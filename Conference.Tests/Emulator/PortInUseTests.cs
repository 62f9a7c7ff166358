using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Emulator;

/// <summary>
/// livekit-server exits when it cannot bind its port; so does the emulator, at once and saying which port, instead of
/// leaving whoever started it waiting 30 s for an answer (ci33).
/// </summary>
public sealed class PortInUseTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_emulator_exits_with_an_error_naming_a_port_that_is_taken(bool testControls)
    {
        var taken = new TcpListener(IPAddress.Loopback, LocalMachine.FreePort());
        taken.Start();
        try
        {
            var takenPort = ((IPEndPoint)taken.LocalEndpoint).Port;
            var port = testControls ? LocalMachine.FreePort() : takenPort;
            string[] controls = testControls ? ["--test-control-port", takenPort.ToString()] : [];
            var start = new ProcessStartInfo(Path.Combine(LocalMachine.RepositoryRoot, "tools", "livekit-emulator", "bin", "livekit-server"),
                ["--dev", "--port", port.ToString(), .. controls])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var emulator = Process.Start(start)!;
            var stdout = emulator.StandardOutput.ReadToEndAsync();
            var stderr = emulator.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await emulator.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!emulator.HasExited)
                {
                    emulator.Kill(entireProcessTree: true);
                }
            }
            var output = await stdout + await stderr;
            Assert.True(emulator.ExitCode == 1, $"exit code {emulator.ExitCode}: {output}");
            Assert.Contains("could not listen", output);
            Assert.Contains($"\"port\":{takenPort}", output);
        }
        finally
        {
            taken.Stop();
        }
    }
}
