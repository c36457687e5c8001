using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using System.Text;
using Capacity.Domain.Clients;

namespace Capacity.UnitTests.Domain.Clients;

public sealed class ApiKeysTests
{
    [Fact]
    public void Generated_key_has_the_format_its_prefix_and_its_hash()
    {
        var (key, prefix, hash) = ApiKeys.Generate();

        Assert.Matches("^cap_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}$", key);
        Assert.Equal(ApiKeys.Length, key.Length);
        Assert.Equal(key[..ApiKeys.PrefixLength], prefix);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(key)), hash);
        Assert.Equal(prefix, ApiKeys.PrefixOf(key));
    }

    [Fact]
    public void Generated_keys_and_prefixes_do_not_repeat()
    {
        var keys = Enumerable.Range(0, 10_000).Select(_ => ApiKeys.Generate()).ToList();

        Assert.Equal(keys.Count, keys.Select(k => k.Key).Distinct().Count());
        Assert.Equal(keys.Count, keys.Select(k => k.Prefix).Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("cap_")]
    [InlineData("integration-admin-key-0123456789")]
    [InlineData("cap_abcdefgh_0123456789012345678901234567890123456789x")]  // one character too many
    [InlineData("cap_abcdefgh_012345678901234567890123456789012345678")]    // one too few
    [InlineData("cap_abcdefgh-0123456789012345678901234567890123456789")]   // wrong separator
    [InlineData("CAP_abcdefgh_0123456789012345678901234567890123456789")]   // wrong marker
    [InlineData("cap_abc/efgh_0123456789012345678901234567890123456789")]   // not alphanumeric
    [InlineData("cap_abcdefgh_01234567890123456789012345678901234567é9")]
    public void A_string_without_the_key_format_has_no_prefix(string presented) =>
        Assert.Null(ApiKeys.PrefixOf(presented));

    [Fact]
    public void Comparer_matches_equal_hashes_only()
    {
        var stored = ApiKeys.Hash("cap_abcdefgh_0123456789012345678901234567890123456789");
        var first = (byte[])stored.Clone();
        first[0] ^= 1;
        var last = (byte[])stored.Clone();
        last[^1] ^= 1;

        Assert.True(KeyHashComparer.Matches((byte[])stored.Clone(), stored));
        Assert.False(KeyHashComparer.Matches(first, stored));
        Assert.False(KeyHashComparer.Matches(last, stored));
        Assert.False(KeyHashComparer.Matches(stored.AsSpan(0, 31), stored));
    }

    /// <summary>
    /// The timing-safe compare, checked on the comparer itself: its body calls
    /// <see cref="CryptographicOperations.FixedTimeEquals"/> and nothing that could return at the first difference
    /// (SequenceEqual, Equals, a loop with an early exit). Timing it instead would be a wall-clock assertion.
    /// </summary>
    [Fact]
    public void Comparer_uses_the_fixed_time_compare_and_no_early_exit_compare()
    {
        var method = typeof(KeyHashComparer).GetMethod(nameof(KeyHashComparer.Matches))!;

        var called = CalledMethods(method).Select(m => $"{m.DeclaringType!.FullName}.{m.Name}").ToList();

        Assert.Contains($"{typeof(CryptographicOperations).FullName}.{nameof(CryptographicOperations.FixedTimeEquals)}", called);
        Assert.DoesNotContain(called, c => c.Contains("SequenceEqual", StringComparison.Ordinal) || c.EndsWith(".Equals", StringComparison.Ordinal));
        Assert.False(HasBackwardBranch(method), "the comparer loops itself; a loop can exit at the first difference");
    }

    private static IEnumerable<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        for (var i = 0; i < il.Length; i++)
        {
            if (il[i] is 0x28 or 0x6F) // call, callvirt: a 4-byte method token follows
            {
                var token = BitConverter.ToInt32(il, i + 1);
                yield return method.Module.ResolveMethod(token)!;
                i += 4;
            }
        }
    }

    private static bool HasBackwardBranch(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var shortBranches = new HashSet<short> { OpCodes.Br_S.Value, OpCodes.Brtrue_S.Value, OpCodes.Brfalse_S.Value, OpCodes.Blt_S.Value, OpCodes.Bne_Un_S.Value };
        return il.Select((b, i) => (b, i)).Any(x => shortBranches.Contains(x.b) && x.i + 1 < il.Length && (sbyte)il[x.i + 1] < 0);
    }
}
