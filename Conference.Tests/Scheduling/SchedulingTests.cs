using System.Text.Json;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Scheduling;

/// <summary>
/// What every scheduling test class sets up the same way: a real SMTP server of its own (<see cref="Smtp"/>, started
/// before the class's tests and stopped after; <see cref="SchedulingSite.StartAsync"/> mails to it) and the api's JSON
/// reading options.
/// </summary>
public abstract class SchedulingTests : IAsyncLifetime
{
    /// <summary>Reads the api's answers: web defaults, enums as strings.</summary>
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    protected SmtpCaptureServer Smtp { get; } = new();

    public Task InitializeAsync() => Smtp.InitializeAsync();

    public Task DisposeAsync() => Smtp.DisposeAsync();
}
