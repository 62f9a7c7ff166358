using System.Threading.Channels;
using Conference.LiveKit;

namespace Conference.Api.Webhooks;

/// <summary>
/// Group commit for webhooks. Each request waits until its event is durably stored and applied, but the events
/// arriving meanwhile are committed together: one transaction (and one disk flush) for a batch instead of one per
/// event. LiveKit sends webhooks in bursts (a meeting starting is a join per person), so this is where it counts.
/// </summary>
public sealed class WebhookIngestion(IServiceScopeFactory scopes, ILogger<WebhookIngestion> logger) : BackgroundService
{
    const int MaxBatch = 256;
    const int ConflictAttempts = 3;

    readonly Channel<Pending> queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(4 * MaxBatch)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Stores and applies the event; returns what it changed (see <see cref="WebhookEventStore"/>).</summary>
    public async Task<WebhookEffect> StoreAndApplyAsync(WebhookEvent webhookEvent, byte[] body, CancellationToken cancellationToken)
    {
        var pending = new Pending(new ReceivedWebhook(webhookEvent, body));
        try
        {
            await queue.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new OperationCanceledException("The api is shutting down.");
        }
        // A request that gives up still has its event stored: LiveKit's retry then finds it and changes nothing.
        return await pending.Result.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync(stoppingToken))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            await CommitAsync(batch, stoppingToken);
        }
    }

    /// <summary>Shutting down: nobody waits for ever. Their requests answer 503 and LiveKit delivers them again.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        queue.Writer.TryComplete();
        while (queue.Reader.TryRead(out var pending))
        {
            pending.Result.TrySetCanceled();
        }
    }

    async Task CommitAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        try
        {
            var effects = await StoreAsync(batch.Select(p => p.Webhook).ToList(), cancellationToken);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result.TrySetResult(effects[i]);
            }
        }
        catch (Exception exception) when (batch.Count > 1 && !cancellationToken.IsCancellationRequested)
        {
            // One event the database refuses must not fail the others: take them one at a time.
            logger.LogWarning(exception, "A batch of {Count} webhooks failed; storing them one at a time", batch.Count);
            foreach (var pending in batch)
            {
                await CommitOneAsync(pending, cancellationToken);
            }
        }
        catch (Exception exception)
        {
            batch.ForEach(p => p.Result.TrySetException(exception));
        }
    }

    async Task CommitOneAsync(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            pending.Result.TrySetResult((await StoreAsync([pending.Webhook], cancellationToken))[0]);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Kept, so nothing LiveKit told us is lost and its retries stop; unapplied, so the retry loop
            // (WebhookMaintenance) tries it again until it applies.
            logger.LogError(exception, "Webhook {EventId} ({Event}) could not be applied; it is stored and will be tried again",
                pending.Webhook.Event.Id, pending.Webhook.Event.Event);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<WebhookEventStore>()
                    .StoreUnappliedAsync(pending.Webhook, exception.GetBaseException().Message, cancellationToken);
                pending.Result.TrySetResult(WebhookEffect.None);
            }
            catch (Exception storeException)
            {
                pending.Result.TrySetException(storeException);
            }
        }
    }

    async Task<WebhookEffect[]> StoreAsync(IReadOnlyList<ReceivedWebhook> webhooks, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<WebhookEventStore>();
            try
            {
                return await store.StoreAndApplyAsync(webhooks, cancellationToken);
            }
            catch (Exception exception) when (attempt < ConflictAttempts && WebhookEventStore.IsConflict(exception))
            {
                // Another api instance created the same participant session first; the batch rolled back, run it again.
            }
        }
    }

    sealed record Pending(ReceivedWebhook Webhook)
    {
        public TaskCompletionSource<WebhookEffect> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
