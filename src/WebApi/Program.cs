using Capacity.Application;
using Capacity.Infrastructure;
using Capacity.Infrastructure.Persistence;
using Capacity.WebApi;
using Capacity.WebApi.Problems;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;

    // The usage batch names up to 500 codes in its query string: past Kestrel's default 8 KB request line.
    kestrel.Limits.MaxRequestLineSize = RequestLimits.MaxRequestLineBytes;
});
builder.Services
    .AddApplication(builder.Configuration)
    .AddInfrastructure(builder.Configuration)
    .AddWebApi(builder.Configuration, builder.Environment);

var app = builder.Build();
app.UseWebApi();

if (app.Configuration.GetValue<bool>("Database:MigrateOnStartup"))
{
    await DatabaseMigrator.MigrateAsync(app.Services);
}

if (app.Configuration.GetValue<bool>("Database:SeedDemoData"))
{
    await DemoData.SeedAsync(app.Services);
}

await app.RunAsync();

/// <summary>Entry point; public so integration tests can host it.</summary>
public partial class Program;
