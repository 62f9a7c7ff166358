using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conference.Tests.ServiceDefaults;

/// <summary>
/// The quiet levels the services set in code are defaults: an operator's configuration still decides. The health-check
/// service's own log (one line per failing probe, with a stack trace) is off by default, since HealthCheckChanges says
/// each change once; an operator chasing a probe turns it back on with <c>Logging__LogLevel__…</c>.
/// </summary>
public sealed class LogLevelDefaultsTests
{
    static bool Logs(string category, LogLevel level, Dictionary<string, string?> configuration)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddDefaultHealthChecks();
        using var host = builder.Build();
        return host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(level);
    }

    [Fact]
    public void The_health_check_services_log_is_off_unless_the_operator_turns_it_on()
    {
        Assert.False(Logs(HealthCheckChanges.HealthCheckServiceCategory, LogLevel.Error, []));
        Assert.True(Logs(HealthCheckChanges.HealthCheckServiceCategory, LogLevel.Error,
            new() { [$"Logging:LogLevel:{HealthCheckChanges.HealthCheckServiceCategory}"] = "Information" }));
        // Other categories keep the usual defaults.
        Assert.True(Logs("Conference.Api", LogLevel.Information, []));
    }
}
