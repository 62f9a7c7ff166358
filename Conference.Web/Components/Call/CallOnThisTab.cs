namespace Conference.Web.Components.Call;

/// <summary>
/// Whether this tab (circuit) holds a call now. The media runs between the browser and LiveKit on the call's own
/// token, so a sign-in that ends mid-call need not end the call: MainLayout then drops only the account parts of the
/// page and sends the person to sign in again once the call is over (<see cref="Over"/>).
/// </summary>
public sealed class CallOnThisTab
{
    /// <summary>True from joining until the call page lets go of its call (left for another page, or back to pre-join).</summary>
    public bool IsOn { get; private set; }

    /// <summary>Raised when <see cref="IsOn"/> turns false, on the call page's renderer.</summary>
    public event Action? Over;

    public void Started() => IsOn = true;

    public void Ended()
    {
        if (!IsOn)
        {
            return;
        }
        IsOn = false;
        Over?.Invoke();
    }
}
