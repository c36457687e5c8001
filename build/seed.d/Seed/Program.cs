using System.Globalization;
using Capacity.Infrastructure.Coupons.Seeding;
using Capacity.Infrastructure.Members.Seeding;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Spectre.Console;

// build/seed [--users N] [--coupons N] [--usages N] [--members N] [--seed S]; the database from ConnectionStrings__Postgres.
var plan = new CouponSeedPlan();
var members = new MemberSeedPlan();
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
        "--members" => SetMembers(plan, Next()),
        _ => throw new ArgumentException($"unknown argument {args[i]} (--users, --coupons, --usages, --members, --seed)"),
    };
}

members = members with { Seed = plan.Seed };

CouponSeedPlan SetMembers(CouponSeedPlan coupons, int count)
{
    members = members with { Members = count };
    return coupons;
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
MemberSeedResult? memberResult = null;
await AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .StartAsync(async context =>
    {
        var parts = new Dictionary<string, ProgressTask>
        {
            ["users"] = context.AddTask($"users ({plan.Users:N0})"),
            ["coupons"] = context.AddTask($"coupons ({plan.Coupons:N0})"),
            ["usages"] = context.AddTask($"redemptions (~{plan.Usages:N0})"),
            ["members"] = context.AddTask($"members ({members.Members:N0})"),
        };
        var progress = new Progress<(string Part, double Fraction)>(p => parts[p.Part].Value = p.Fraction * 100);
        result = await CouponSeedData.LoadAsync(dataSource, plan, progress);
        memberResult = await MemberSeedData.LoadAsync(dataSource, members, new Progress<double>(f => parts["members"].Value = f * 100));
        foreach (var task in parts.Values)
        {
            task.Value = 100;
        }
    });

Console.WriteLine(FormattableString.Invariant(
    $"seed: {result!.Users:N0} users, {result.Coupons:N0} coupons, {result.Usages:N0} redemptions (seed {plan.Seed}) in {result.Total.TotalSeconds:F2} s (users {result.UsersTime.TotalSeconds:F2} s)"));
Console.WriteLine(FormattableString.Invariant(
    $"seed: {memberResult!.Members:N0} members ({memberResult.Active:N0} active, {memberResult.Expired:N0} expired, {memberResult.Suspended:N0} suspended) in {memberResult.Time.TotalSeconds:F2} s"));
Console.WriteLine(FormattableString.Invariant($"SEED_JSON {{\"users\":{result.Users},\"coupons\":{result.Coupons},\"usages\":{result.Usages},\"seconds\":{result.Total.TotalSeconds:F3},\"users_seconds\":{result.UsersTime.TotalSeconds:F3},\"members\":{memberResult.Members},\"members_seconds\":{memberResult.Time.TotalSeconds:F3}}}"));
