using Conference.Api.Webhooks;
using Conference.LiveKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Conference.Tests.Api;

public sealed class WebhookIngestionTests
{
    [Fact]
    public async Task Once_stopped_it_refuses_new_events_at_once_instead_of_leaving_them_waiting()
    {
        var ingestion = new WebhookIngestion(new ServiceCollection().BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(),
            NullLogger<WebhookIngestion>.Instance);
        await ingestion.StartAsync(CancellationToken.None);
        await ingestion.StopAsync(CancellationToken.None);

        var store = ingestion.StoreAndApplyAsync(new WebhookEvent { Id = "EV_late", Event = WebhookEventNames.RoomStarted }, "{}"u8.ToArray(), CancellationToken.None);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
