// The bare Kestrel reference of build/bench: the same route as the cached GET of the API, answering the exact
// bytes the API answered (captured by build/bench and passed as --BodyFile PATH), with nothing else in the pipeline.
//   dotnet BareKestrel.dll --urls http://127.0.0.1:5090 --BodyFile /path/to/body.json
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var bodyFile = builder.Configuration["BodyFile"]
    ?? throw new InvalidOperationException("--BodyFile PATH (the JSON body to answer) is required");
var body = await File.ReadAllBytesAsync(bodyFile);

var app = builder.Build();
app.MapGet("/api/access-codes/{code}", (HttpContext http) =>
{
    http.Response.StatusCode = StatusCodes.Status200OK;
    http.Response.ContentType = "application/json; charset=utf-8";
    http.Response.ContentLength = body.Length;
    return http.Response.Body.WriteAsync(body).AsTask();
});
app.MapGet("/health/ready", () => Results.Text("Healthy"));

await app.RunAsync();
