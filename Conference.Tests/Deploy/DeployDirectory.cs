using System.Formats.Tar;
using System.IO.Compression;
using Conference.Tests.Infrastructure;

namespace Conference.Tests.Deploy;

/// <summary>
/// A host's deployment directory for running the deploy/ scripts here: a temporary directory with the scripts,
/// a postgres-initdb/ naming the given databases, and a stand-in <c>docker</c> first on PATH. The stand-in logs
/// every call to docker.log; <c>docker compose exec [-T] [--user U] SERVICE COMMAND…</c> runs COMMAND on this
/// machine (so pg_dump, psql and pg_restore reach the test's Postgres through PG* variables); every other
/// call succeeds without doing anything. A stand-in <c>crontab</c> keeps the user's table in crontab.txt. Scripts under test may replace <c>bin/docker</c> with their own.
/// </summary>
sealed class DeployDirectory : IDisposable
{
    public const string ComposeExecStandIn = """
        #!/usr/bin/env bash
        echo "docker $*" >> "$(dirname "$0")/../docker.log"
        [ "$1" = compose ] || exit 0
        shift
        if [ "$1" = exec ]; then
          shift
          while [[ $1 == -* ]]; do
            case $1 in --user|-u|-e|--env|-w|--workdir) shift 2 ;; *) shift ;; esac
          done
          shift
          exec "$@"
        fi
        exit 0
        """;

    public DeployDirectory(params string[] databases)
    {
        var deploy = System.IO.Path.Combine(LocalMachine.RepositoryRoot, "deploy");
        foreach (var script in ShippedScripts)
        {
            var target = System.IO.Path.Combine(Path, script);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(System.IO.Path.Combine(deploy, script), target);
        }
        File.Copy(System.IO.Path.Combine(deploy, ".env.example"), System.IO.Path.Combine(Path, ".env.example"));
        Directory.CreateDirectory(System.IO.Path.Combine(Path, "postgres-initdb"));
        File.WriteAllText(System.IO.Path.Combine(Path, "postgres-initdb", "create-databases.sql"),
            string.Concat(databases.Select(name => $"CREATE DATABASE \"{name}\";\n")));
        Directory.CreateDirectory(Bin);
        WriteExecutable("bin/docker", ComposeExecStandIn);
        // The user's crontab is crontab.txt here: a script under test never touches the machine's.
        WriteExecutable("bin/crontab", """
            #!/usr/bin/env bash
            table="$(dirname "$0")/../crontab.txt"
            case $1 in
              -l) [ -f "$table" ] || { echo "no crontab for $USER" >&2; exit 1; }; cat "$table" ;;
              -) cat > "$table.new" && mv "$table.new" "$table" ;;
              *) exit 2 ;;
            esac
            """);
    }

    /// <summary>
    /// The operator's scripts of deploy/, relative to it: the ones run on the host and, under lib/, the files they
    /// source (release.yml packs deploy/ whole, so a release ships them all).
    /// </summary>
    public static IReadOnlyList<string> ShippedScripts { get; } =
    [
        .. Directory.GetFiles(System.IO.Path.Combine(LocalMachine.RepositoryRoot, "deploy"), "*.sh", SearchOption.AllDirectories)
            .Select(file => System.IO.Path.GetRelativePath(System.IO.Path.Combine(LocalMachine.RepositoryRoot, "deploy"), file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal),
    ];

    public string Path { get; } = Directory.CreateTempSubdirectory("conference-host-").FullName;

    public string Bin => System.IO.Path.Combine(Path, "bin");

    /// <summary>Every docker call so far, one per line, as "docker ARGS".</summary>
    public string DockerCalls()
    {
        var log = System.IO.Path.Combine(Path, "docker.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    public void WriteExecutable(string relativePath, string text)
    {
        var file = System.IO.Path.Combine(Path, relativePath);
        File.WriteAllText(file, text.ReplaceLineEndings("\n") + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Runs a script of this directory with bash, the stand-ins and the machine's Postgres tools first on PATH, from
    /// <paramref name="workingDirectory"/> (this directory unless given: cron and operators run them from anywhere).
    /// </summary>
    public async Task<(int ExitCode, string Output)> RunAsync(string script, string[] arguments, Dictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var postgresBin = System.IO.Path.GetDirectoryName(LocalMachine.FindExecutable("pg_dump", "/usr/lib/postgresql/15/bin"))!;
        var variables = new Dictionary<string, string>(environment ?? [])
        {
            ["PATH"] = $"{Bin}:{postgresBin}:{Environment.GetEnvironmentVariable("PATH")}",
        };
        var (exitCode, output, error) = await ExternalCommand.RunAsync("bash", [System.IO.Path.Combine(Path, script), .. arguments], workingDirectory ?? Path, variables);
        return (exitCode, output + error);
    }

    /// <summary>
    /// Writes a release tarball here as release.yml packs it, conference-deploy-[VARIANT-]VERSION.tar.gz holding
    /// conference-deploy-[VARIANT-]VERSION/ with VERSION and the files; gives its path.
    /// </summary>
    public string WriteRelease(string version, string variant, Dictionary<string, string> files)
    {
        var name = variant.Length == 0 ? $"conference-deploy-{version}" : $"conference-deploy-{variant}-{version}";
        var path = System.IO.Path.Combine(Path, $"{name}.tar.gz");
        using var output = File.Create(path);
        using var gzip = new GZipStream(output, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip);
        foreach (var (file, text) in files.Append(new("VERSION", version + "\n")))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"{name}/{file}")
            {
                DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            });
        }
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
