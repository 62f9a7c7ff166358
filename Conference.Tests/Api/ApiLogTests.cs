using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.Api;

/// <summary>
/// The api's log is where operators look (the README sends them there for the setup code): a healthy first start
/// logs no error, and the database commands of the background loops do not drown everything else.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ApiLogTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_first_start_on_an_empty_database_migrates_it_and_logs_no_error()
    {
        var log = new LogCapture();
        var database = await fixture.Postgres.CreateDatabaseAsync($"fresh_{Guid.NewGuid():N}");
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["ConnectionStrings:conference"] = database }, log.AddTo);

        // Started (and migrated) by its first request.
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().GetAsync("/api/health")).StatusCode);

        Assert.Contains(log.Lines, line => line.Contains("Applying", StringComparison.Ordinal) && line.Contains("migration", StringComparison.Ordinal));
        var failed = log.Lines.Where(line => line.Contains("Failed executing DbCommand", StringComparison.Ordinal)).ToList();
        Assert.True(failed.Count == 0, string.Join("\n", failed));
        Assert.DoesNotContain(log.Lines, line => line.Contains("__EFMigrationsHistory", StringComparison.Ordinal) && line.Contains("fail", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task With_the_shipped_log_levels_EF_commands_are_not_logged_but_the_apis_own_information_is()
    {
        // The shipped appsettings.json only: the fixture's quieter default taken back out.
        var api = fixture.CreateApi(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" });
        await api.CreateClient().GetAsync("/api/health");
        var loggers = api.Services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger("Microsoft.EntityFrameworkCore.Database.Command").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Microsoft.EntityFrameworkCore.Database.Command").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("Conference.Api.Scheduling.Reminders").IsEnabled(LogLevel.Information));
    }
}
