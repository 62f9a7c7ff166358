var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

// Lets the tests start the api with WebApplicationFactory<Program>.
public partial class Program;
