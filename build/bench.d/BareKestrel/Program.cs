// The bare Kestrel reference of build/bench: the routes of the API's cached reads, each answering the exact bytes the
// API answered (captured by build/bench), with nothing else in the pipeline.
//   dotnet BareKestrel.dll --urls http://127.0.0.1:5090 [--BodyFile PATH] [--MemberBodyFile PATH]
//   --BodyFile        GET /api/access-codes/{code}: the access code's JSON (with Content-Length)
//   --MemberBodyFile  GET /api/members/{memberId}: the member's JSON, framed as the API frames it (chunked, with
//                     X-Cache: hit), so the bytes on the wire are the API's but for the Date header's value
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var bodyFile = builder.Configuration["BodyFile"];
var memberBodyFile = builder.Configuration["MemberBodyFile"];
if (bodyFile is null && memberBodyFile is null)
{
    throw new InvalidOperationException("--BodyFile PATH and/or --MemberBodyFile PATH (the JSON bodies to answer) is required");
}

var app = builder.Build();
if (bodyFile is not null)
{
    var body = await File.ReadAllBytesAsync(bodyFile);
    app.MapGet("/api/access-codes/{code}", (HttpContext http) =>
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body).AsTask();
    });
}
if (memberBodyFile is not null)
{
    var memberBody = await File.ReadAllBytesAsync(memberBodyFile);
    app.MapGet("/api/members/{memberId}", (HttpContext http) =>
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers["X-Cache"] = "hit";
        return http.Response.Body.WriteAsync(memberBody).AsTask();
    });
}
app.MapGet("/health/ready", () => Results.Text("Healthy"));

await app.RunAsync();
