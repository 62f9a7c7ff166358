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
    /// (e.g. a browser launched with a switch of its own, not its <c>--type=</c> children). Of several such, the one
    /// whose parent is none of them: ci47 once found two (a child that carried the launch's switches too).
    /// </summary>
    public static int SingleProcessIdContaining(string text, string without)
    {
        var matches = Directory.EnumerateDirectories("/proc")
            .Select(directory => (Directory: directory, Id: int.TryParse(Path.GetFileName(directory), out var id) ? id : 0))
            .Where(process => process.Id > 0)
            .Select(process => (process.Id, process.Directory, Command: ReadCommandLine(process.Directory)))
            .Where(process => process.Command.Contains(text, StringComparison.Ordinal) && !process.Command.Contains(without, StringComparison.Ordinal))
            .ToList();
        var ids = matches.Select(process => process.Id).ToHashSet();
        return matches.Where(process => !ids.Contains(ParentId(process.Directory))).Select(process => process.Id).Single();
    }

    /// <summary>The parent's id from /proc/PID/stat (its fourth field, after the command name in parentheses); 0 if gone.</summary>
    static int ParentId(string processDirectory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(processDirectory, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return 0;
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
