namespace Conference.Tests.AppHost;

/// <summary>Reads /proc to find the processes a test started, by a path only they use.</summary>
static class LocalProcesses
{
    public static List<string> CommandLinesContaining(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Where(directory => int.TryParse(Path.GetFileName(directory), out _))
            .Select(ReadCommandLine)
            .Where(command => command.Contains(text, StringComparison.Ordinal))
            .ToList();

    public static async Task<List<string>> WaitUntilNoneContainAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var survivors = CommandLinesContaining(text);
            if (survivors.Count == 0 || DateTime.UtcNow > deadline)
            {
                return survivors;
            }
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// The id of the one process whose command line has <paramref name="text"/> and not <paramref name="without"/>
    /// (e.g. a browser launched with a switch of its own, not its <c>--type=</c> children).
    /// </summary>
    public static int SingleProcessIdContaining(string text, string without) =>
        Directory.EnumerateDirectories("/proc")
            .Select(directory => (Directory: directory, Id: int.TryParse(Path.GetFileName(directory), out var id) ? id : 0))
            .Where(process => process.Id > 0)
            .Select(process => (process.Id, Command: ReadCommandLine(process.Directory)))
            .Where(process => process.Command.Contains(text, StringComparison.Ordinal) && !process.Command.Contains(without, StringComparison.Ordinal))
            .Select(process => process.Id)
            .Single();

    static string ReadCommandLine(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return ""; // the process ended while we looked
        }
    }
}
