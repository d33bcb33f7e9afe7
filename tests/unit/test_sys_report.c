// SPDX-License-Identifier: GPL-2.0-only
/* --sys-trace pure core: cputime split, row bound, CSV, table and SVG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sys/report.h"

#define MS 1000000ull

/* The kernel's own examples: ratio kept, all to user if no tick yet. */
static void test_cputime_adjust(void **state)
{
	struct sys_cputime p = { 0, 0 };

	/* no ticks at all: everything is user time */
	sys_cputime_adjust(3 * MS, 0, 0, &p);
	assert_int_equal(p.utime, 3 * MS);
	assert_int_equal(p.stime, 0);
	/* ticks 3:1 user:system, rtime 100 ms */
	sys_cputime_adjust(100 * MS, 12 * MS, 4 * MS, &p);
	assert_int_equal(p.stime, 25 * MS);
	assert_int_equal(p.utime, 75 * MS);
	assert_int_equal(p.utime + p.stime, 100 * MS);
	/* rtime did not move: nothing changes */
	sys_cputime_adjust(100 * MS, 1, 1000, &p);
	assert_int_equal(p.utime, 75 * MS);
	/* ratio flips to system: user may not go backwards */
	sys_cputime_adjust(110 * MS, 1, 1000 * MS, &p);
	assert_true(p.utime >= 75 * MS);
	assert_true(p.stime >= 25 * MS);
	assert_int_equal(p.utime + p.stime, 110 * MS);
	/* only system ticks from the start */
	p = (struct sys_cputime){ 0, 0 };
	sys_cputime_adjust(8 * MS, 0, 4 * MS, &p);
	assert_int_equal(p.stime, 8 * MS);
	assert_int_equal(p.utime, 0);
}

static struct sys_row row_at(uint64_t t_ms)
{
	struct sys_row w;

	memset(&w, 0, sizeof(w));
	w.t_ns = t_ms * MS;
	w.dur_ns = 100 * MS;
	w.user_ns = 30 * MS;
	w.sys_ns = 20 * MS;
	w.oncpu_ns = 50 * MS;
	w.procs = 2;
	w.threads = 3;
	w.rss_kb = 1000 + t_ms;
	w.rss_peak_kb = 1000 + t_ms;
	w.blk_wr_bytes = 4096;
	w.blk_wr_reqs = 1;
	w.blk_lat_ns = 250000;
	w.blk_lat_max_ns = 250000;
	w.net_tx_pkts = 2;
	w.net_tx_bytes = 84;
	return w;
}

static void test_row_bound_folds(void **state)
{
	struct sys_report r;
	struct sys_row w, tot;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 1; i <= SYS_MAX_ROWS + 10; i++) {
		w = row_at(i * 100);
		assert_int_equal(sys_report_add_row(&r, &w), 0);
	}
	assert_int_equal(r.nrows, SYS_MAX_ROWS);
	assert_int_equal(r.folded, 10);
	assert_true(r.rows[SYS_MAX_ROWS - 1].flags & SYS_F_FOLDED);
	assert_false(r.rows[SYS_MAX_ROWS - 2].flags & SYS_F_FOLDED);
	assert_int_equal(r.rows[SYS_MAX_ROWS - 1].dur_ns, 11 * 100 * MS);
	/* totals are exact across the fold */
	sys_report_totals(&r, &tot);
	assert_int_equal(tot.user_ns, (SYS_MAX_ROWS + 10) * 30 * MS);
	assert_int_equal(tot.blk_wr_bytes, (uint64_t)(SYS_MAX_ROWS + 10) * 4096);
	assert_int_equal(tot.rss_peak_kb, 1000 + (SYS_MAX_ROWS + 10) * 100);
	assert_int_equal(tot.procs, 2);
	sys_report_free(&r);
}

static void test_flags(void **state)
{
	char b[8];

	assert_string_equal(sys_flags_str(0, b), "-");
	assert_string_equal(sys_flags_str(SYS_F_LATE | SYS_F_DROP, b), "LD");
	assert_string_equal(sys_flags_str(SYS_F_PARTIAL, b), "P");
}

/* Count the commas of one line. */
static int ncols(const char *line)
{
	int n = 1;

	for (; *line && *line != '\n'; line++)
		n += *line == ',';
	return n;
}

static void test_csv(void **state)
{
	struct sys_report r;
	struct strbuf sb = { 0 };
	struct sys_row w = row_at(100);
	const char *l2, *l3;
	int lo, eth;

	memset(&r, 0, sizeof(r));
	r.interval_ns = 100 * MS;
	lo = sys_report_iface(&r, "lo");
	eth = sys_report_iface(&r, "eth,0");
	assert_int_equal(lo, 0);
	assert_int_equal(eth, 1);
	assert_int_equal(sys_report_iface(&r, "lo"), 0);
	w.ifs[lo].rx_pkts = 7;
	w.ifs[lo].rx_bytes = 700;
	w.flags = SYS_F_LATE;
	assert_int_equal(sys_report_add_row(&r, &w), 0);
	w = row_at(150);
	w.dur_ns = 50 * MS;
	w.flags = SYS_F_PARTIAL;
	assert_int_equal(sys_report_add_row(&r, &w), 0);
	assert_int_equal(r.late, 1);

	sys_csv(&r, &sb);
	/* header: fixed columns, 4 per interface (name made CSV-safe), flags */
	assert_non_null(strstr(sb.buf, ",if_lo_rx_pkts,if_lo_rx_bytes,if_lo_tx_pkts,if_lo_tx_bytes,"));
	assert_non_null(strstr(sb.buf, ",if_eth_0_rx_pkts,"));
	assert_int_equal(strncmp(sb.buf, "t_ms,interval_ms,cpu_user_ms,cpu_sys_ms,", 40), 0);
	l2 = strchr(sb.buf, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	assert_int_equal(ncols(sb.buf), ncols(l2));
	assert_int_equal(ncols(sb.buf), ncols(l3));
	assert_int_equal(strncmp(l2, "100.000,100.000,30.000,20.000,50.000,0,0,2,3,", 45), 0);
	/* latency average 250 us, disk write bytes, lo rx, flags */
	assert_non_null(strstr(l2, ",0,4096,0,1,250,250,"));
	assert_non_null(strstr(l2, ",7,700,0,0,0,0,0,0,L\n"));
	assert_non_null(strstr(l3, ",P\n"));
	assert_int_equal(strncmp(l3, "150.000,50.000,", 15), 0);
	strbuf_free(&sb);
	sys_report_free(&r);
}

static void test_table(void **state)
{
	struct sys_report r;
	struct strbuf sb = { 0 };
	struct sys_row w = row_at(100);
	struct sys_proc_line p;

	memset(&r, 0, sizeof(r));
	r.interval_ns = 100 * MS;
	r.duration_ns = 100 * MS;
	assert_int_equal(sys_report_add_row(&r, &w), 0);
	memset(&p, 0, sizeof(p));
	p.pid = 42;
	p.ppid = 41;
	p.start_ns = 10 * MS;
	p.end_ns = 12 * MS;
	p.user_ns = 1 * MS;
	p.peak_rss_kb = 1536;
	p.threads = 1;
	p.exit_status = 11; /* killed by SIGSEGV */
	strcpy(p.comm, "true");
	assert_int_equal(sys_report_add_proc(&r, &p), 0);
	p.pid = 43;
	p.exit_status = 3 << 8;
	strcpy(p.comm, "sh");
	assert_int_equal(sys_report_add_proc(&r, &p), 0);
	p.pid = 44;
	p.end_ns = 0;
	strcpy(p.comm, "sleep");
	assert_int_equal(sys_report_add_proc(&r, &p), 0);

	sys_table(&r, &sb);
	assert_non_null(strstr(sb.buf, "user 0.030 s   system 0.020 s"));
	assert_non_null(strstr(sb.buf, "busiest interval 50.0% of one CPU"));
	assert_non_null(strstr(sb.buf, "written 4.0 KiB in 1 requests   latency avg 0.250 ms"));
	assert_non_null(strstr(sb.buf, "processes (3):"));
	assert_non_null(strstr(sb.buf, "      42       41 true                 0.010     0.002     0.001     0.000    1       1536"));
	assert_non_null(strstr(sb.buf, " SIGSEGV\n"));
	assert_non_null(strstr(sb.buf, " 3\n"));
	assert_non_null(strstr(sb.buf, "alive"));
	strbuf_free(&sb);
	sys_report_free(&r);
}

static void test_svg(void **state)
{
	struct sys_report r;
	struct strbuf sb = { 0 };
	struct sys_row w;
	const char *p;
	int polylines = 0;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.interval_ns = 100 * MS;
	sys_report_iface(&r, "lo");
	for (i = 1; i <= 3000; i++) { /* more rows than points drawn */
		w = row_at(i * 100);
		assert_int_equal(sys_report_add_row(&r, &w), 0);
	}
	sys_svg(&r, &sb);
	assert_int_equal(strncmp(sb.buf, "<?xml", 5), 0);
	assert_non_null(strstr(sb.buf, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(sb.buf, "</svg>\n"));
	/* self-contained: no scripts, no external references */
	assert_null(strstr(sb.buf, "<script"));
	assert_null(strstr(sb.buf, "href"));
	assert_null(strstr(sb.buf, "@import"));
	/* four panels with titles and units */
	assert_non_null(strstr(sb.buf, ">CPU<"));
	assert_non_null(strstr(sb.buf, ">% of one CPU<"));
	assert_non_null(strstr(sb.buf, ">MiB<"));
	assert_non_null(strstr(sb.buf, ">Disk (block layer"));
	assert_non_null(strstr(sb.buf, ">Network<"));
	assert_non_null(strstr(sb.buf, ">time since start (s)<"));
	/* 30% user of one CPU: the y axis ends at 50 */
	assert_non_null(strstr(sb.buf, "class=\"ylab\">50<"));
	/* the x axis ends at 300 s */
	assert_non_null(strstr(sb.buf, "class=\"xlab\">300<"));
	for (p = sb.buf; (p = strstr(p, "<polyline")); p++)
		polylines++;
	assert_int_equal(polylines, 10);
	strbuf_free(&sb);
	sys_report_free(&r);
}

static void test_empty(void **state)
{
	struct sys_report r;
	struct strbuf sb = { 0 };

	memset(&r, 0, sizeof(r));
	r.interval_ns = 100 * MS;
	sys_csv(&r, &sb);
	sys_table(&r, &sb);
	sys_svg(&r, &sb);
	assert_non_null(strstr(sb.buf, "</svg>"));
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cputime_adjust),
		cmocka_unit_test(test_row_bound_folds),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
