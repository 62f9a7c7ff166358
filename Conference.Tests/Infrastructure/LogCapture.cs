using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conference.Tests;

/// <summary>
/// Keeps every log message of a server, at every level, whatever the console shows (<see cref="AddTo"/>): tests read it
/// to prove that something (a secret) never reaches the server's logs; or what its console would show
/// (<see cref="AddAsConfiguredTo"/>), to prove something is said once, not over and over.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<string> lines = new();
    readonly ConcurrentQueue<Entry> entries = new();

    /// <summary>"Category: message" plus any exception, in the order logged.</summary>
    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>The same, with each line's level and exception apart, in the order logged.</summary>
    public IReadOnlyCollection<Entry> Entries => entries;

    /// <summary>One log message.</summary>
    public sealed record Entry(LogLevel Level, string Category, string Message, Exception? Exception);

    /// <summary>Adds this capture to a server's logging, at Trace, beside its other providers.</summary>
    public void AddTo(IServiceCollection services)
    {
        services.AddSingleton<ILoggerProvider>(this);
        services.Configure<LoggerFilterOptions>(options => options.AddFilter<LogCapture>(null, LogLevel.Trace));
    }

    /// <summary>
    /// Adds this capture beside the server's other providers under the server's own filters: it keeps what a console
    /// of that server would show.
    /// </summary>
    public void AddAsConfiguredTo(IServiceCollection services) => services.AddSingleton<ILoggerProvider>(this);

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
            var message = formatter(state, exception);
            capture.entries.Enqueue(new Entry(logLevel, category, message, exception));
            capture.lines.Enqueue($"{category}: {message} {values} {exception}");
        }
    }
}
