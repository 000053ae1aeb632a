/*
 * test_override.c -- the factor overrides of `ecosweep report`: values are
 * validated with messages that name the offending value, and applied by the
 * same rule as the spec (an explicit intensity wins over a region).
 */
#include "account.h"
#include "es_test.h"

static const char *set_err(const char *option, const char *value)
{
    static es_err err;
    es_factor_override o = {0};
    ES_CHECK_INT(es_factor_override_set(&o, option, value, &err), ES_EUSAGE);
    ES_CHECK_INT(o.set, 0);
    return err.msg;
}

ES_TEST(override_values_are_validated)
{
    ES_CHECK_STR(set_err("pue", "0.9"), "--pue: expected a number from 1 to 10, got '0.9'");
    ES_CHECK_STR(set_err("pue", "1.2x"), "--pue: expected a number from 1 to 10, got '1.2x'");
    ES_CHECK_STR(set_err("pue", "nan"), "--pue: expected a number from 1 to 10, got 'nan'");
    ES_CHECK_STR(set_err("pue", ""), "--pue: expected a number from 1 to 10, got ''");
    /* Past the plausible: a slip of units, refused (1e308 priced to inf). */
    ES_CHECK_STR(set_err("pue", "158"), "--pue: expected a number from 1 to 10, got '158'");
    ES_CHECK_STR(set_err("usd-per-kwh", "1e308"),
                 "--usd-per-kwh: expected a price per kWh from 0 to 100, got '1e308'");
    ES_CHECK_STR(
        set_err("carbon-intensity", "-5"),
        "--carbon-intensity: expected a number of g CO2e per kWh from 0 to 5000, got '-5'");
    ES_CHECK_STR(set_err("usd-per-kwh", "inf"),
                 "--usd-per-kwh: expected a price per kWh from 0 to 100, got 'inf'");
    ES_CHECK_STR(set_err("cloud-usd-per-hour", "abc"),
                 "--cloud-usd-per-hour: expected a price per hour from 0 to 100000, got 'abc'");
    ES_CHECK_STR(set_err("region", "FRN"),
                 "--region: unknown country code 'FRN' (did you mean 'FRA', France?)");
    ES_CHECK_STR(set_err("region", "uk"),
                 "--region: unknown country code 'uk' (did you mean 'GB', United Kingdom?)");
}

ES_TEST(override_apply_follows_the_spec_rule)
{
    es_energy_factors f;
    es_factor_override o = {0};
    es_err err;
    es_region us;
    es_energy_factors_default(&f);
    f.cpu_watts_per_core = 7;
    f.attribution = ES_ATTRIBUTION_SHARED;

    es_factor_override_apply(&o, &f); /* nothing set: nothing changes */
    ES_CHECK_NEAR(f.pue, 1.58, 0);

    ES_CHECK_INT(es_factor_override_set(&o, "region", "usa", &err), 0);
    ES_CHECK_INT(es_factor_override_set(&o, "usd-per-kwh", "0.3", &err), 0);
    ES_CHECK_INT(es_region_lookup("US", &us), 0);
    es_factor_override_apply(&o, &f);
    ES_CHECK_STR(f.region, "USA");
    ES_CHECK_NEAR(f.carbon_g_per_kwh, us.g_co2e_per_kwh, 0);
    ES_CHECK_INT(f.carbon_source, ES_CARBON_REGION);
    ES_CHECK_NEAR(f.electricity_usd_per_kwh, 0.3, 0);
    ES_CHECK_NEAR(f.pue, 1.58, 0);
    /* What shaped the stored joules is never replaced. */
    ES_CHECK_NEAR(f.cpu_watts_per_core, 7, 0);
    ES_CHECK_INT(f.attribution, ES_ATTRIBUTION_SHARED);

    ES_CHECK_INT(es_factor_override_set(&o, "carbon-intensity", "20", &err), 0);
    ES_CHECK_INT(es_factor_override_set(&o, "pue", "1.1", &err), 0);
    es_factor_override_apply(&o, &f);
    ES_CHECK_NEAR(f.carbon_g_per_kwh, 20, 0);
    ES_CHECK_INT(f.carbon_source, ES_CARBON_EXPLICIT);
    ES_CHECK_STR(f.region, "USA");
    ES_CHECK_NEAR(f.pue, 1.1, 0);
}
