/* SPDX-License-Identifier: MIT */
#include "table.h"

#include "json-writer.h"

char *kr_table_json(const struct kr_results *r)
{
	_cleanup_json_free_ struct kr_json *doc = kr_json_object();
	kr_json_set(doc, "exit_status", kr_json_int(kr_results_exit_code(r)));
	kr_json_set(doc, "interrupted", kr_json_bool(r->interrupted));
	_cleanup_free_ char *path = kr_path_join(r->out_dir, "results.json");
	kr_json_set(doc, "results", kr_json_string(path));
	struct kr_json *rows = kr_json_array();
	for (size_t i = 0; i < r->n_scenarios; i++) {
		const struct kr_scenario_result *sr = r->scenarios[i];
		struct kr_json *row = kr_json_object();
		kr_json_set(row, "name", kr_json_string(sr->name));
		kr_json_set(row, "scenario",
			    kr_json_string(sr->cell.scenario ? sr->cell.scenario : sr->name));
		kr_json_set(row, "kernel", kr_json_string(sr->cell.kernel));
		kr_json_set(row, "vm", kr_json_string(sr->cell.vm));
		kr_json_set(row, "expected", kr_json_string(kr_expect_verdict_to_string(sr->expected)));
		kr_json_set(row, "verdict", kr_json_string(kr_verdict_to_string(sr->verdict)));
		kr_json_set(row, "runs", kr_json_int((long long)sr->n_runs));
		kr_json_set(row, "runs_planned", kr_json_int(sr->runs_planned));
		kr_json_set(row, "rate", kr_rate_to_json(&sr->rate));
		kr_json_set(row, "result", kr_json_string(kr_outcome_to_string(sr->outcome)));
		kr_json_set(row, "reason", kr_json_string(sr->reason));
		kr_json_set(row, "baseline",
			    sr->baseline.change == KR_CHANGE_NONE ?
				    kr_json_null() :
				    kr_json_string(kr_change_to_string(sr->baseline.change)));
		kr_json_append(rows, row);
	}
	kr_json_set(doc, "scenarios", rows);
	return kr_json_dump(doc, true);
}
