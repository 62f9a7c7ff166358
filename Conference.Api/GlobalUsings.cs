global using Conference.Api.Extensions;
