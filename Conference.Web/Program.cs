using Conference.Web.Accounts;
using Conference.Web.Meetings;
using Conference.Web.Api;
using Conference.Web.Components;
using Conference.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.Services.AddRazorComponents()
    .AddInteractiveServerComponents();

var app = builder.Build();

app.UseForwardedHeaders();
app.Use(CallerAddress.RememberAsync);

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
}
app.UseStatusCodePagesWithReExecute("/not-found");

app.UseAntiforgery();
app.MapStaticAssets();
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode();
app.MapAccountEndpoints();
app.MapParticipantKeyCookie(); // issue 12: the browser keeps its participant key per meeting
app.MapDefaultEndpoints();

app.Run();
