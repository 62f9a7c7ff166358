namespace Conference.Web.Components.Call;

/// <summary>
/// Whether this tab (circuit) holds a call now. The media runs between the browser and LiveKit on the call's own
/// token, so a sign-in that ends mid-call need not end the call: MainLayout then drops only the account parts of the
/// page and sends the person to sign in again once the call is over (<see cref="Over"/>).
/// </summary>
public sealed class CallOnThisTab
{
    /// <summary>
    /// True from joining until the call is over: its end screen shows (left, removed, ended for everyone), or the call
    /// page lets go of it (left for another page, or back to pre-join). A rejoin from the end screen turns it on again.
    /// </summary>
    public bool IsOn { get; private set; }

    /// <summary>Raised when <see cref="IsOn"/> turns false, on the call page's renderer.</summary>
    public event Action? Over;

    /// <summary>The page joins (or rejoins) a call.</summary>
    public void Started() => IsOn = true;

    /// <summary>The call is over; raises <see cref="Over"/> once.</summary>
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
