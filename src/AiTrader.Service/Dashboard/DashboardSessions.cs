using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace AiTrader.Service.Dashboard;

/// <summary>The dashboard's sign-ins, held by the service: the cookie carries only a random session id, so signing out
/// ends the session for good (a copy of the old cookie is refused too). Held in memory: a restart signs everyone out.</summary>
internal sealed class DashboardSessions(TimeProvider time) : ITicketStore
{
    private readonly ConcurrentDictionary<string, AuthenticationTicket> _tickets = new(StringComparer.Ordinal);

    /// <summary>Sessions held now (expired ones are dropped as they are found).</summary>
    public int Count => _tickets.Count;

    public Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        Sweep();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _tickets[id] = ticket;
        return Task.FromResult(id);
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket)
    {
        // Only a session that is still held is renewed: a signed-out one stays gone.
        if (_tickets.ContainsKey(key))
        {
            _tickets[key] = ticket;
        }

        return Task.CompletedTask;
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (!_tickets.TryGetValue(key, out var ticket))
        {
            return Task.FromResult<AuthenticationTicket?>(null);
        }

        if (ticket.Properties.ExpiresUtc is { } expires && expires <= time.GetUtcNow())
        {
            _tickets.TryRemove(key, out _);
            return Task.FromResult<AuthenticationTicket?>(null);
        }

        return Task.FromResult<AuthenticationTicket?>(ticket);
    }

    public Task RemoveAsync(string key)
    {
        _tickets.TryRemove(key, out _);
        return Task.CompletedTask;
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        foreach (var (key, ticket) in _tickets)
        {
            if (ticket.Properties.ExpiresUtc is { } expires && expires <= now)
            {
                _tickets.TryRemove(key, out _);
            }
        }
    }
}
