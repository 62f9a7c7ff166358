using Conference.AppHost.Processes;

namespace Conference.Tests.AppHost;

/// <summary>Clusters moved to /var/lib/conference (root, clone in a mode-700 home) go when their checkout goes.</summary>
public sealed class PostgresDataDirectoryTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("conference-shared-").FullName;
    readonly string checkouts = Directory.CreateTempSubdirectory("conference-checkouts-").FullName;

    [Fact]
    public void Only_the_clusters_of_checkouts_that_are_gone_and_not_running_are_removed()
    {
        var kept = Cluster("kept", Path.Combine(checkouts, "here", "Conference.AppHost"));
        var orphan = Cluster("orphan", Path.Combine(checkouts, "deleted", "Conference.AppHost"), createCheckout: false);
        var stillRunning = Cluster("running", Path.Combine(checkouts, "gone-but-running", "Conference.AppHost"), createCheckout: false);
        File.WriteAllText(Path.Combine(stillRunning, "postgres", "postmaster.pid"), $"{Environment.ProcessId}\n/some/data\n");
        var staleLock = Cluster("stale", Path.Combine(checkouts, "gone-stale-lock", "Conference.AppHost"), createCheckout: false);
        File.WriteAllText(Path.Combine(staleLock, "postgres", "postmaster.pid"), $"{int.MaxValue}\n");
        var notOurs = Directory.CreateDirectory(Path.Combine(root, "no-checkout-file")).FullName;

        var removed = PostgresDataDirectory.RemoveOrphans(root);

        Assert.Equal([orphan, staleLock], removed.Order(StringComparer.Ordinal));
        Assert.True(Directory.Exists(kept));
        Assert.True(Directory.Exists(stillRunning));
        Assert.True(Directory.Exists(notOurs));
        Assert.False(Directory.Exists(orphan));
    }

    [Fact]
    public void The_explanation_names_what_was_removed()
    {
        var data = new PostgresDataDirectory("/var/lib/conference/abc/postgres", "/root/clone/Conference.AppHost/.data/postgres", ["/var/lib/conference/old"]);
        Assert.Contains("cannot reach /root/clone/Conference.AppHost/.data/postgres", data.Explanation);
        Assert.Contains("Removed the data of 1 checkout(s) that no longer exist: /var/lib/conference/old.", data.Explanation);
    }

    /// <summary>A cluster folder as <see cref="PostgresDataDirectory.For"/> makes it, for a checkout's AppHost folder.</summary>
    string Cluster(string id, string appHost, bool createCheckout = true)
    {
        if (createCheckout)
        {
            Directory.CreateDirectory(appHost);
        }
        var home = Directory.CreateDirectory(Path.Combine(root, id)).FullName;
        Directory.CreateDirectory(Path.Combine(home, "postgres"));
        File.WriteAllText(Path.Combine(home, "checkout"), Path.Combine(appHost, ".data", "postgres") + "\n");
        return home;
    }

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        Directory.Delete(checkouts, recursive: true);
    }
}
