namespace Conference.Web.Components.Call;

public sealed record PreJoinChoices(string DisplayName, MediaChoices Media);
