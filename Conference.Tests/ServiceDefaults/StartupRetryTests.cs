using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Conference.Tests.ServiceDefaults;

/// <summary>
/// A service's start-up step waits for a dependency that is not reachable yet instead of exiting (StartupRetry): an
/// api exited with 134 on one Postgres connect timeout on a busy host, and nothing started it again.
/// </summary>
public sealed class StartupRetryTests
{
    static readonly Func<Exception, bool> PostgresNotReachable = exception => exception is NpgsqlException { IsTransient: true };

    /// <summary>What Npgsql throws for a Postgres that does not listen yet: a port nobody listens on.</summary>
    static async Task ConnectToNobodyAsync(CancellationToken cancellationToken)
    {
        using var reserved = new TcpListener(IPAddress.Loopback, 0);
        reserved.Start();
        var port = ((IPEndPoint)reserved.LocalEndpoint).Port;
        reserved.Stop();
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=nobody;Password=x;Timeout=2");
        await connection.OpenAsync(cancellationToken);
    }

    [Fact]
    public async Task A_database_not_reachable_yet_is_tried_again_until_it_is_and_each_wait_is_logged()
    {
        using var log = new LogCapture();
        var attempts = 0;
        await StartupRetry.RunAsync("Migrating the test's database", async token =>
        {
            if (++attempts < 3)
            {
                await ConnectToNobodyAsync(token);
            }
        }, PostgresNotReachable, log.CreateLogger("Startup"), CancellationToken.None);

        Assert.Equal(3, attempts);
        var waits = log.Lines.Where(line => line.Contains("not reachable yet", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, line => Assert.StartsWith("Startup: Migrating the test's database: not reachable yet (", line, StringComparison.Ordinal));
        Assert.Contains("trying again in 1 s", waits[0], StringComparison.Ordinal);
        Assert.Contains("trying again in 2 s", waits[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_that_is_not_about_reaching_the_database_ends_the_start_at_once()
    {
        using var log = new LogCapture();
        var attempts = 0;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => StartupRetry.RunAsync("Migrating", _ =>
        {
            attempts++;
            throw new InvalidOperationException("The migration's SQL is wrong.");
        }, PostgresNotReachable, log.CreateLogger("Startup"), CancellationToken.None));

        Assert.Equal(1, attempts);
        Assert.Equal("The migration's SQL is wrong.", failure.Message);
        Assert.Empty(log.Lines);
    }

    [Fact]
    public async Task A_database_still_not_reachable_when_the_budget_is_spent_ends_the_start_with_its_reason()
    {
        using var log = new LogCapture();
        var attempts = 0;
        var failure = await Assert.ThrowsAsync<NpgsqlException>(() => StartupRetry.RunAsync("Migrating", token =>
        {
            attempts++;
            return ConnectToNobodyAsync(token);
        }, PostgresNotReachable, log.CreateLogger("Startup"), CancellationToken.None, budget: TimeSpan.FromSeconds(2)));

        Assert.True(failure.IsTransient);
        Assert.InRange(attempts, 2, 3); // tries at 0 s and 1 s, perhaps 3 s: never after the budget
    }

    [Fact]
    public async Task A_service_stopping_while_it_waits_stops_waiting()
    {
        using var log = new LogCapture();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StartupRetry.RunAsync("Migrating", ConnectToNobodyAsync,
            PostgresNotReachable, log.CreateLogger("Startup"), stopping.Token));
    }
}
