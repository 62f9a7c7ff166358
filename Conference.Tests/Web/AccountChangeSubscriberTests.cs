using System.Collections.Concurrent;
using System.Text.Json;
using Conference.Contracts;
using Conference.Tests.Infrastructure;
using Conference.Web.Accounts;

namespace Conference.Tests.Web;

/// <summary>
/// The web's one subscriber to the account-changes channel, on a real Redis, as the web registers it: what the api
/// publishes reaches the open pages of that account only, what is not an account change is ignored, and after the link
/// to Redis breaks and comes back every page checks its sign-in (what was published meanwhile is lost).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class AccountChangeSubscriberTests(RedisServer redis) : WebWithRedis(redis)
{
    AccountChangeNotifications Notifications => Service<AccountChangeNotifications>();


    /// <summary>Publishes exactly as the api's AccountChanges does.</summary>
    Task PublishAsync(string account) => PublishJsonAsync(JsonSerializer.Serialize(new AccountChange(account, AccountChangeKind.SignInsEnded)));

    Task PublishJsonAsync(string json) => PublishJsonAsync(AccountChange.Channel, json);

    /// <summary>A page of <paramref name="account"/>: counts how often it was told to check its sign-in.</summary>
    (IDisposable Subscription, Func<int> Checks) PageOf(string account)
    {
        var checks = 0;
        return (Notifications.Subscribe(account, () => { Interlocked.Increment(ref checks); return Task.CompletedTask; }), () => Volatile.Read(ref checks));
    }

    [Fact]
    public async Task News_of_an_account_reaches_its_pages_only_and_what_is_not_news_is_ignored()
    {
        var (mine, myChecks) = PageOf("account-a");
        var (other, otherChecks) = PageOf("account-b");
        using (mine)
        using (other)
        {
            await PublishJsonAsync("not json {");
            await PublishJsonAsync("""{"Account":"account-a","What":"no_such_change"}""");
            await PublishJsonAsync("""{"Account":"account-a"}""");
            await PublishJsonAsync("""{"Account":"","What":"sign_ins_ended"}""");
            await PublishAsync("account-a");

            await Eventually.TrueAsync(() => myChecks() >= 1, "the news to reach the account's page", within: TimeSpan.FromSeconds(30));
            // Redis delivers one subscriber's messages in order: the ignored ones came first, and nothing else came since.
            await PublishAsync("account-a");
            await Eventually.TrueAsync(() => myChecks() >= 2, "the second news to reach the account's page", within: TimeSpan.FromSeconds(30));
            Assert.Equal(2, myChecks());
            Assert.Equal(0, otherChecks());
        }
        Assert.Equal(0, Notifications.Count);
    }

    [Fact]
    public async Task When_the_link_to_Redis_breaks_and_comes_back_every_page_checks_its_sign_in_and_news_flows_again()
    {
        var (page, checks) = PageOf("account-c");
        using (page)
        {
            await KillSubscriptionLinkAsync();
            await Eventually.TrueAsync(() => checks() >= 1, "the page to check its sign-in after the link came back", within: TimeSpan.FromSeconds(30));

            // Re-subscribed: news published now arrives again (published until it does: the resubscribe may lag the event).
            var before = checks();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (checks() == before)
            {
                patience.Token.ThrowIfCancellationRequested();
                await PublishAsync("account-c");
                await Task.Delay(100);
            }
        }
    }
}
