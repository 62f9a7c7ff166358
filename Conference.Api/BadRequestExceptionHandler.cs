using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Conference.Api;

/// <summary>
/// Every request minimal APIs cannot bind (they throw <see cref="BadHttpRequestException"/>, as
/// <c>RouteHandlerOptions.ThrowOnBadRequest</c> asks) is answered here, in one place for every endpoint, with an
/// RFC 7807 validation problem whose <c>errors</c> name the part at fault and say what it takes, never the framework's
/// own text: a body field of the wrong type or unknown to the endpoint (by its JSON path, <c>settings.lobbyEnabled</c>),
/// a body that is missing, empty or not JSON (<c>body</c>, with an example of what to send), a route or query value
/// that does not parse (by the parameter's name, with the format it takes), a body over the endpoint's limit (413).
/// </summary>
sealed class BadRequestExceptionHandler(IProblemDetailsService problems, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> jsonOptions) : IExceptionHandler
{
    JsonSerializerOptions Json => jsonOptions.Value.SerializerOptions;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        // The middleware has cleared the endpoint and route values to run its handlers; the feature keeps the originals.
        var failed = httpContext.Features.Get<IExceptionHandlerFeature>();
        var endpoint = failed?.Endpoint ?? httpContext.GetEndpoint();
        var routeValues = failed?.RouteValues ?? httpContext.Request.RouteValues;
        var bodyType = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var (status, title, errors) = badRequest switch
        {
            { StatusCode: StatusCodes.Status413PayloadTooLarge } => (StatusCodes.Status413PayloadTooLarge, TooLargeTitle, TooLarge(httpContext)),
            { StatusCode: StatusCodes.Status415UnsupportedMediaType } => (StatusCodes.Status415UnsupportedMediaType, NotJsonTitle, NotJson(bodyType, Json)),
            { InnerException: JsonException json } when bodyType is not null => (StatusCodes.Status400BadRequest, "The request body could not be read.",
                BodyErrors(json, bodyType)),
            _ when UrlErrors(httpContext, endpoint, routeValues) is { Count: > 0 } urlErrors => (StatusCodes.Status400BadRequest, "The request's address could not be read.", urlErrors),
            _ when bodyType is not null => (StatusCodes.Status400BadRequest, "The request body is required.",
                Error("body", $"This endpoint takes a JSON body (Content-Type: application/json) such as {RequestShapes.Example(bodyType, Json)}.")),
            _ => (badRequest.StatusCode, "The request could not be read.", Error("request", "The request is not one this endpoint can read.")),
        };

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = new HttpValidationProblemDetails(errors) { Status = status, Title = title },
            Exception = exception,
        });
    }

    static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };

    /// <summary>
    /// Minimal APIs answer a body that is not JSON (415), or one cut off at the endpoint's limit while it was read
    /// (413, a chunked body), with a bare status and no exception to handle here; the status code pages turn it into
    /// a problem without words. This problem-details customisation adds them.
    /// </summary>
    public static void ExplainBareStatus(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is HttpValidationProblemDetails || context.ProblemDetails.Extensions.ContainsKey("errors"))
        {
            return;
        }
        var http = context.HttpContext;
        if (context.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge)
        {
            context.ProblemDetails.Title = TooLargeTitle;
            context.ProblemDetails.Extensions["errors"] = TooLarge(http);
        }
        else if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
        {
            context.ProblemDetails.Title = NotJsonTitle;
            context.ProblemDetails.Extensions["errors"] = NotJson(http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType,
                http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions);
        }
    }

    const string TooLargeTitle = "The request body is too large.";

    /// <summary>The same words as Caddy's 413 in front (see the Caddyfile's api_body_limit).</summary>
    static Dictionary<string, string[]> TooLarge(HttpContext http) =>
        Error("body", $"This endpoint takes a body of at most {http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize} bytes.");

    const string NotJsonTitle = "The request body must be JSON.";

    static Dictionary<string, string[]> NotJson(Type? bodyType, JsonSerializerOptions json) =>
        Error("body", $"Send the body as JSON, with Content-Type: application/json{(bodyType is null ? "" : $", such as {RequestShapes.Example(bodyType, json)}")}.");

    /// <summary>
    /// The serializer stops at the first fault and says where (its JSON path) but not, in words a client can use, what:
    /// that comes from the body type's contract at that path. A syntax error (the reader's own exception inside) is
    /// the whole body's fault; a path the contract lacks is an unknown field; else the value there is of the wrong type
    /// (or, with duplicate keys refused, given twice).
    /// </summary>
    Dictionary<string, string[]> BodyErrors(JsonException json, Type bodyType)
    {
        var found = RequestShapes.Resolve(bodyType, json.Path, Json);
        if (json.InnerException is JsonException)
        {
            // Broken inside a known field's value ("displayName":"Ada<end>): that field; anywhere else, the body.
            var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
            return Error(found.Type is null ? "body" : found.Field,
                $"The body is not well-formed JSON{where}. Send a JSON object such as {RequestShapes.Example(bodyType, Json)}.");
        }

        if (found.Type is null)
        {
            var name = found.Field[(found.Field.LastIndexOf('.') + 1)..];
            var belongs = RequestShapes.FindField(bodyType, name, Json);
            var fields = found.Parent is null ? "" : $" The fields here are: {string.Join(", ", RequestShapes.FieldNames(found.Parent))}.";
            return Error(found.Field, belongs is not null
                ? $"{name} is not a field here; did you mean {belongs}?{fields}"
                : $"{name} is not a field of this request.{fields}");
        }
        if (found.Field == "body")
        {
            var required = found.Parent is null && Json.GetTypeInfo(bodyType) is { } info
                ? info.Properties.Where(p => p.IsRequired).Select(p => p.Name).ToList()
                : [];
            return Error("body", $"The body must be a JSON object such as {RequestShapes.Example(bodyType, Json)}"
                + (required.Count > 0 ? $", with {string.Join(" and ", required)} given." : "."));
        }
        var text = Nullable.GetUnderlyingType(found.Type) ?? found.Type;
        var expected = $"{found.Field} must be {RequestShapes.Describe(found.Type, Json)}";
        return Error(found.Field, Fault(json) switch
        {
            ValueFault.Repeated => $"{found.Field} appears more than once; give it once.",
            ValueFault.NotText when text == typeof(string) => $"{expected} of valid Unicode text (no lone surrogate escapes such as \\ud800).",
            ValueFault.WrongType => $"{expected}.",
            // Words this version of System.Text.Json does not use: every cause, the likeliest first.
            _ => $"{expected}{(text == typeof(string) ? " of valid Unicode text (no lone surrogate escapes such as \\ud800)" : "")}, and {found.Field} may appear only once.",
        });
    }

    enum ValueFault { Unknown, WrongType, NotText, Repeated }

    /// <summary>
    /// Which fault the serializer met at a known field. It says so only in its messages (System.Text.Json's
    /// ThrowHelper: "Duplicate property …", "The JSON value could not be converted to …", with the reader's
    /// "… UTF-16 …" inside for a lone surrogate); anything else is Unknown.
    /// </summary>
    static ValueFault Fault(JsonException json) => json switch
    {
        { Message: var message } when message.StartsWith("Duplicate property", StringComparison.Ordinal) => ValueFault.Repeated,
        { InnerException: InvalidOperationException { Message: var inner } } when inner.Contains("UTF-16", StringComparison.Ordinal) => ValueFault.NotText,
        { Message: var message } when message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) => ValueFault.WrongType,
        _ => ValueFault.Unknown,
    };

    /// <summary>
    /// The handler's route and query parameters whose value is missing (when required) or does not parse as their type,
    /// each named as in the URL with the format it takes.
    /// </summary>
    Dictionary<string, string[]> UrlErrors(HttpContext http, Endpoint? endpoint, RouteValueDictionary routeValues)
    {
        var errors = new Dictionary<string, string[]>();
        if (endpoint?.Metadata.GetMetadata<MethodInfo>() is not { } handler)
        {
            return errors;
        }
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern;
        var nullability = new NullabilityInfoContext();
        foreach (var parameter in handler.GetParameters())
        {
            var attributes = parameter.GetCustomAttributes(inherit: true);
            if (parameter.Name is null || !RequestShapes.IsUrlValue(parameter.ParameterType)
                || attributes.Any(a => a is IFromBodyMetadata or IFromServiceMetadata or IFromFormMetadata or IFromHeaderMetadata))
            {
                continue;
            }
            var fromRoute = pattern?.GetParameter(parameter.Name) is not null || attributes.Any(a => a is IFromRouteMetadata);
            var name = attributes.OfType<IFromQueryMetadata>().FirstOrDefault()?.Name ?? parameter.Name;
            var value = fromRoute ? routeValues[parameter.Name]?.ToString() : http.Request.Query[name].ToString();
            var required = !parameter.HasDefaultValue && nullability.Create(parameter).WriteState != NullabilityState.Nullable;
            var expected = RequestShapes.Describe(parameter.ParameterType, Json);
            if (string.IsNullOrEmpty(value))
            {
                if (required)
                {
                    errors[name] = [$"{name} is required: {expected}."];
                }
            }
            else if (!RequestShapes.Parses(parameter.ParameterType, value))
            {
                errors[name] = [$"\"{Shorten(value)}\" is not {expected}."];
            }
        }
        return errors;
    }

    static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
