using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Conference.Api.Accounts;
using Conference.Tests.Api;
using Conference.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;

namespace Conference.Tests.Scheduling;

/// <summary>
/// Password reset by email, through the mail a real SMTP server received: the same answer for an unknown address
/// (and no mail), a link that works once, ends every sign-in, and stops working after an hour.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PasswordResetTests(ApiFixture fixture) : SchedulingTests
{
    static (string Email, string Token) LinkIn(SmtpCaptureServer.ReceivedMail mail)
    {
        var text = mail.Message.TextBody!;
        var start = text.IndexOf(SchedulingSite.SiteUrl + "account/reset?", StringComparison.Ordinal);
        Assert.True(start >= 0, text);
        var link = new Uri(text[start..].Split([' ', '\r', '\n'], 2)[0]);
        var query = QueryHelpers.ParseQuery(link.Query);
        return (query["email"].ToString(), query["token"].ToString());
    }

    [Fact]
    public async Task The_mailed_link_sets_a_new_password_once_and_ends_every_sign_in()
    {
        var site = await SchedulingSite.StartAsync(fixture, Smtp);
        var before = await SchedulingSite.SignInAsync(site.Api.CreateClient(), SchedulingSite.HostEmail, SchedulingSite.HostPassword);
        var anonymous = site.Api.CreateClient();

        var known = await anonymous.PostAsJsonAsync("/api/accounts/password-reset", new { email = SchedulingSite.HostEmail });
        var unknown = await anonymous.PostAsJsonAsync("/api/accounts/password-reset", new { email = "nobody@example.org" });
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Equal(known.Headers.Location, unknown.Headers.Location);
        // Asking again at once sends no second mail (nobody floods an inbox through us).
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/accounts/password-reset", new { email = SchedulingSite.HostEmail })).StatusCode);

        var mail = Assert.Single(await Smtp.WaitForAsync(1));
        Assert.Equal(PasswordResetApi.Subject, mail.Message.Subject);
        Assert.Equal([SchedulingSite.HostEmail], mail.RcptTo);
        var (email, token) = LinkIn(mail);
        Assert.Equal(SchedulingSite.HostEmail, email);
        await Task.Delay(300);
        Assert.Single(await site.OutboxAsync());

        // The reset page checks the link before it asks for a password; checking does not use it.
        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email, token })).StatusCode);
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email, token = token[..^4] + "AAAA" }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email = "nobody@example.org", token }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email }), "token");

        // A wrong token, or a weak password, is a problem naming its field, and the link still works after.
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token = token[..^4] + "AAAA", newPassword = "a new long passphrase" }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token = "%%%not base64%%%", newPassword = "a new long passphrase" }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email = "nobody@example.org", token, newPassword = "a new long passphrase" }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token, newPassword = "short" }), "newPassword");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm", new { email }), "token");

        Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token, newPassword = "a new long passphrase" })).StatusCode);

        // Once only: the page opened again with the used link says so before asking for anything.
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email, token }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token, newPassword = "yet another passphrase" }), "token");
        // The new password signs in, the old does not; the earlier sign-in's tokens are over.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/accounts/signin",
            new { email, password = SchedulingSite.HostPassword })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/accounts/signin",
            new { email, password = "a new long passphrase" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/accounts/refresh",
            new { refreshToken = before.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await site.Host.GetAsync("/api/accounts/me")).StatusCode);
    }

    [Fact]
    public async Task A_link_stops_working_when_its_lifetime_is_over()
    {
        // Identity's token provider reads the system clock, not TimeProvider: the lifetime is made short instead (an hour by default).
        var site = await SchedulingSite.StartAsync(fixture, Smtp, settings: new Dictionary<string, string?> { ["Mail:PasswordResetLinkLifetime"] = "00:00:02" });
        var anonymous = site.Api.CreateClient();
        (await anonymous.PostAsJsonAsync("/api/accounts/password-reset", new { email = SchedulingSite.HostEmail })).EnsureSuccessStatusCode();
        var (email, token) = LinkIn(Assert.Single(await Smtp.WaitForAsync(1)));

        await Task.Delay(TimeSpan.FromSeconds(3));
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/check", new { email, token }), "token");
        await AssertProblemAsync(await anonymous.PostAsJsonAsync("/api/accounts/password-reset/confirm",
            new { email, token, newPassword = "a new long passphrase" }), "token");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsJsonAsync("/api/accounts/signin",
            new { email, password = SchedulingSite.HostPassword })).StatusCode);
    }

    static async Task AssertProblemAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _), body);
    }
}
