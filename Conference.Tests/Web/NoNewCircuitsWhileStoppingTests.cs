using System.Net;
using Conference.Web.Circuits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Conference.Tests.Web;

/// <summary>
/// Once the stopping web has asked its pages to pause, it starts no circuit and says it is not alive: a page's new
/// negotiation and its wait for a server (scripts/circuit-continuity.js) both get 503 with Retry-After, and reach the
/// next process instead. Everything else is still served while the stop finishes.
/// </summary>
public sealed class NoNewCircuitsWhileStoppingTests
{
    [Fact]
    public async Task Negotiation_and_alive_answer_503_once_the_pages_were_asked_to_pause_and_other_requests_go_on()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<OpenCircuits>();
        await using var app = builder.Build();
        app.UseNoNewCircuitsWhileStopping();
        app.MapPost("/_blazor/negotiate", () => "negotiated");
        app.MapGet("/alive", () => "Healthy");
        app.MapGet("/m/abc-defg-hij", () => "the meeting");
        await app.StartAsync();
        var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);

        app.Services.GetRequiredService<OpenCircuits>().RefuseNewCircuits = true;

        foreach (var refused in new[] { await client.PostAsync("/_blazor/negotiate?negotiateVersion=1", null), await client.GetAsync("/alive") })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        }
        var page = await client.GetAsync("/m/abc-defg-hij");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("the meeting", await page.Content.ReadAsStringAsync());
    }
}
