using Capacity.Application.Clients;
using Capacity.Domain.Clients;
using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.Clients;

public sealed class ApiKeyAuthenticatorTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly Directory _directory = new();

    private sealed class Directory : IClientKeyDirectory
    {
        public Dictionary<string, KeyRecord> Rows { get; } = [];

        public int Reads { get; private set; }

        public ValueTask<KeyRecord?> FindAsync(string prefix, CancellationToken cancellationToken)
        {
            Reads++;
            return ValueTask.FromResult(Rows.GetValueOrDefault(prefix));
        }

        public ValueTask ForgetAsync(string prefix, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private (string Key, ApiKeyAuthenticator Authenticator) Issue(string[] scopes)
    {
        var (key, prefix, hash) = ApiKeys.Generate();
        _directory.Rows[prefix] = new KeyRecord(Guid.CreateVersion7(), Guid.CreateVersion7(), "shop", scopes, hash, Revoked: false);
        return (key, new ApiKeyAuthenticator(_directory, _clock));
    }

    [Fact]
    public async Task A_working_key_is_checked_fully_once_then_remembered_for_a_second()
    {
        var (key, authenticator) = Issue([ClientScopes.Coupons]);

        Assert.Null(authenticator.TryRecent(key));
        var caller = await authenticator.AuthenticateAsync(key, ApiKeys.Hash(key), default);

        Assert.NotNull(caller);
        Assert.Same(caller, authenticator.TryRecent(key));
        _clock.Advance(ApiKeyAuthenticator.LocalDuration);
        Assert.Null(authenticator.TryRecent(key));
        Assert.Equal(1, _directory.Reads);
    }

    [Fact]
    public async Task A_wrong_secret_with_a_known_prefix_is_refused_and_not_remembered()
    {
        var (key, authenticator) = Issue([ClientScopes.Coupons]);
        await authenticator.AuthenticateAsync(key, ApiKeys.Hash(key), default);
        var forged = key[..13] + new string('A', ApiKeys.SecretLength);

        Assert.Null(await authenticator.AuthenticateAsync(forged, ApiKeys.Hash(forged), default));
        Assert.Null(authenticator.TryRecent(forged));
    }

    [Fact]
    public async Task Forget_and_revocation_end_a_remembered_key()
    {
        var (key, authenticator) = Issue([ClientScopes.Coupons]);
        await authenticator.AuthenticateAsync(key, ApiKeys.Hash(key), default);

        authenticator.Forget(key[..ApiKeys.PrefixLength]);
        _directory.Rows[key[..ApiKeys.PrefixLength]] = _directory.Rows[key[..ApiKeys.PrefixLength]] with { Revoked = true };

        Assert.Null(authenticator.TryRecent(key));
        Assert.Null(await authenticator.AuthenticateAsync(key, ApiKeys.Hash(key), default));
    }
}
