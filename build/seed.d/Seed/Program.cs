using System.Globalization;
using Capacity.Infrastructure.Coupons.Seeding;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;

// build/seed [--users N] [--coupons N] [--usages N] [--seed S]; the database from ConnectionStrings__Postgres.
var plan = new CouponSeedPlan();
for (var i = 0; i < args.Length; i++)
{
    int Next() => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 0
        ? n
        : throw new ArgumentException($"{args[i - 1]} needs a whole number");
    plan = args[i] switch
    {
        "--users" => plan with { Users = Next() },
        "--coupons" => plan with { Coupons = Next() },
        "--usages" => plan with { Usages = Next() },
        "--seed" => plan with { Seed = Next() },
        _ => throw new ArgumentException($"unknown argument {args[i]} (--users, --coupons, --usages, --seed)"),
    };
}

var connection = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
    ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set (build/seed sets it from build/services).");
await using var dataSource = NpgsqlDataSource.Create(connection);

// The product's schema first (as the API applies it at start), so the seed works on a fresh database.
var options = new DbContextOptionsBuilder<CapacityDbContext>()
    .UseNpgsql(connection, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
    .UseSnakeCaseNamingConvention()
    .Options;
await using (var db = new CapacityDbContext(options))
{
    await db.Database.MigrateAsync();
}

CouponSeedResult? result = null;
await AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .StartAsync(async context =>
    {
        var parts = new Dictionary<string, ProgressTask>
        {
            ["users"] = context.AddTask($"users ({plan.Users:N0})"),
            ["coupons"] = context.AddTask($"coupons ({plan.Coupons:N0})"),
            ["usages"] = context.AddTask($"redemptions (~{plan.Usages:N0})"),
        };
        var progress = new Progress<(string Part, double Fraction)>(p => parts[p.Part].Value = p.Fraction * 100);
        result = await CouponSeedData.LoadAsync(dataSource, plan, progress);
        foreach (var task in parts.Values)
        {
            task.Value = 100;
        }
    });

Console.WriteLine(FormattableString.Invariant(
    $"seed: {result!.Users:N0} users, {result.Coupons:N0} coupons, {result.Usages:N0} redemptions (seed {plan.Seed}) in {result.Total.TotalSeconds:F2} s (users {result.UsersTime.TotalSeconds:F2} s)"));
Console.WriteLine(FormattableString.Invariant($"SEED_JSON {{\"users\":{result.Users},\"coupons\":{result.Coupons},\"usages\":{result.Usages},\"seconds\":{result.Total.TotalSeconds:F3},\"users_seconds\":{result.UsersTime.TotalSeconds:F3}}}"));
