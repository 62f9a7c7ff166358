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
