using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.Tests;

/// <summary>
/// Keeps every log message of a server, at every level, whatever the console shows: tests read it to prove that
/// something (a secret) never reaches the server's logs.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<string> lines = new();

    /// <summary>"Category: message" plus any exception, in the order logged.</summary>
    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>Adds this capture to a server's logging, at Trace, beside its other providers.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(options => options.AddFilter<LogCapture>(null, LogLevel.Trace));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // The structured values too: a template hides them from the formatted message only when misused.
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            capture.lines.Enqueue($"{category}: {formatter(state, exception)} {values} {exception}");
        }
    }
}
