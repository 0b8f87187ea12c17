using AiTrader.Storage;
using Npgsql;

namespace AiTrader.Integration.Tests.Storage;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void A_uri_becomes_an_npgsql_connection_string()
    {
        var cs = new NpgsqlConnectionStringBuilder(
            PostgresConnectionString.FromDatabaseUrl("postgres://postgres:postgres@127.0.0.1:5432/aitrader_test"));

        Assert.Equal("127.0.0.1", cs.Host);
        Assert.Equal(5432, cs.Port);
        Assert.Equal("postgres", cs.Username);
        Assert.Equal("postgres", cs.Password);
        Assert.Equal("aitrader_test", cs.Database);
    }

    [Fact]
    public void Percent_encoding_default_port_query_parameters_and_ipv6_are_understood()
    {
        var cs = new NpgsqlConnectionStringBuilder(PostgresConnectionString.FromDatabaseUrl(
            "postgresql://us%40er:p%40ss%3Aw%2Frd@db.example.com/my%20db?sslmode=require&application_name=ai-trader&Maximum%20Pool%20Size=7"));
        Assert.Equal("db.example.com", cs.Host);
        Assert.Equal(5432, cs.Port);
        Assert.Equal("us@er", cs.Username);
        Assert.Equal("p@ss:w/rd", cs.Password);
        Assert.Equal("my db", cs.Database);
        Assert.Equal(SslMode.Require, cs.SslMode);
        Assert.Equal("ai-trader", cs.ApplicationName);
        Assert.Equal(7, cs.MaxPoolSize);

        var v6 = new NpgsqlConnectionStringBuilder(PostgresConnectionString.FromDatabaseUrl("postgres://u@[::1]:6000/db"));
        Assert.Equal("::1", v6.Host);
        Assert.Equal(6000, v6.Port);
        Assert.Null(v6.Password);
    }

    [Fact]
    public void A_key_value_connection_string_is_accepted()
    {
        var cs = new NpgsqlConnectionStringBuilder(
            PostgresConnectionString.FromDatabaseUrl("Host=localhost;Port=5433;Database=aitrader;Username=u;Password=p"));
        Assert.Equal("localhost", cs.Host);
        Assert.Equal(5433, cs.Port);
        Assert.Equal("aitrader", cs.Database);
    }

    [Theory]
    [InlineData("mysql://u:hunter2secret@host/db")]
    [InlineData("postgres://u:hunter2secret@/db")]
    [InlineData("postgres://u:hunter2secret@host/db?sslmode=sometimes")]
    [InlineData("postgres://u:hunter2secret@host/db?nonsense=1")]
    [InlineData("Host=x;Password=hunter2secret;Bogus Key=1")]
    [InlineData("   ")]
    public void Bad_urls_are_rejected_without_echoing_the_password(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => PostgresConnectionString.FromDatabaseUrl(url));
        Assert.DoesNotContain("hunter2secret", ex.ToString());
    }
}
