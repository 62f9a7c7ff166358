namespace Conference.Web.Api;

/// <summary>
/// Withdrawing a lobby request (<c>POST /api/meetings/{slug}/lobby/{requestId}/withdraw</c>). The ticket is the only
/// proof it needs, so this client carries no one's credentials: it works for the closed page's beacon (a plain request
/// with no circuit) and after a circuit's services are gone (the waiting page's last word as it is disposed).
/// </summary>
public sealed class LobbyWithdrawalClient(HttpClient http) : ApiClient(http, null)
{
    /// <summary>Withdraws the request; a request already gone (404) is as good as withdrawn.</summary>
    public async Task WithdrawAsync(string slug, string lobbyRequestId, string ticket, CancellationToken cancellationToken = default)
    {
        try
        {
            await SendWithoutResultAsync(HttpMethod.Post,
                $"api/meetings/{Uri.EscapeDataString(slug)}/lobby/{Uri.EscapeDataString(lobbyRequestId)}/withdraw", new { ticket },
                cancellationToken: cancellationToken);
        }
        catch (ApiProblemException e) when (e.IsNotFound)
        {
            // Expired, replaced by a later ask, or withdrawn already (the beacon and the circuit's end both say so).
        }
    }
}
