/*
 * test_account.c -- joules to kWh, CO2e and dollars.
 */
#include "account.h"
#include "es_test.h"

ES_TEST(account_formula)
{
    es_energy_factors f = {.pue = 1.5,
                           .carbon_g_per_kwh = 400,
                           .electricity_usd_per_kwh = 0.2,
                           .cloud_usd_per_hour = 3.0};
    es_cost c;
    es_account(&f, 3.6e6, 1800, &c); /* 1 kWh at the device, half an hour */
    ES_CHECK_NEAR(c.kwh, 1.5, 1e-12);
    ES_CHECK_NEAR(c.co2e_kg, 0.6, 1e-12);
    ES_CHECK_NEAR(c.usd_electricity, 0.3, 1e-12);
    ES_CHECK_NEAR(c.usd_cloud, 1.5, 1e-12);
    ES_CHECK_NEAR(c.usd, 1.8, 1e-12);
    ES_CHECK_NEAR(c.hours, 0.5, 1e-12);
}

ES_TEST(unknown_energy_is_not_zero_measured)
{
    es_energy_part cpu = {.j = 100, .method = ES_EM_ESTIMATE};
    es_energy_part dram = {.j = 5, .method = ES_EM_ESTIMATE};
    es_energy_part gpu = {.j = NAN, .method = ES_EM_NONE};
    ES_CHECK_NEAR(es_account_joules(&cpu, &dram, &gpu), 105, 0);
    unsigned seen = 1u << cpu.method | 1u << dram.method | 1u << gpu.method;
    ES_CHECK_STR(es_account_method_label(seen), "estimate");
    ES_CHECK_STR(es_account_method_label(1u << ES_EM_COUNTER | 1u << ES_EM_ESTIMATE), "mixed");
    ES_CHECK_STR(es_account_method_label(1u << ES_EM_NONE), "none");
}

ES_TEST(strubell_table_electricity)
{
    /* Strubell et al. 2019 price one tune (2,880 GPU-hours) at $118 of
     * electricity: with their $0.12/kWh that is ~983 kWh at the wall. */
    es_energy_factors f;
    es_energy_factors_default(&f);
    es_cost c;
    double kwh_device = 983.3 / f.pue;
    es_account(&f, kwh_device * 3.6e6, 2880 * 3600.0, &c);
    ES_CHECK_NEAR(c.usd_electricity, 118, 0.1);
    ES_CHECK_NEAR(f.pue, 1.58, 1e-12);
}

ES_TEST(budget_in_device_joules_takes_the_tightest_cap)
{
    es_energy_factors f = {.pue = 1.5, .carbon_g_per_kwh = 500, .electricity_usd_per_kwh = 0.25};
    es_budget b = {0};
    ES_CHECK(isnan(es_account_budget_joules(&f, &b)));
    b.kwh = 3; /* 3 kWh at the wall = 2 kWh at the device */
    ES_CHECK_NEAR(es_account_budget_joules(&f, &b), 2 * 3.6e6, 1e-6);
    b.co2e_kg = 1.0; /* 2 kWh at the wall: tighter */
    ES_CHECK_NEAR(es_account_budget_joules(&f, &b), 2.0 / 1.5 * 3.6e6, 1e-6);
    b.usd = 0.25; /* 1 kWh at the wall: tightest */
    ES_CHECK_NEAR(es_account_budget_joules(&f, &b), 1.0 / 1.5 * 3.6e6, 1e-6);
    b.wall_s = 10; /* time is not energy */
    ES_CHECK_NEAR(es_account_budget_joules(&f, &b), 1.0 / 1.5 * 3.6e6, 1e-6);
}
