global using Conference.Api.Extensions;
global using Microsoft.AspNetCore.Mvc;
