# Interface stability screening of coatings for all-solid-state Li batteries.
#
#   snakemake --cores 2                                   default screen (config/config.yaml, offline)
#   snakemake --cores 2 --configfile config/review.yaml   the review's screen on the packaged MP snapshot
#   snakemake --report results/report.html                HTML report of the default screen; for another
#                                                         screen repeat its --configfile and --config
#   --config results_dir=DIR                              write everything under DIR (default results)
#
# Steps: entries -> candidates (checkpoint) -> windows, interface chunks, baseline -> interfaces
# -> rankings -> figures; logic in src/screening/screen, rules in workflow/rules.

from snakemake.utils import min_version

min_version("9.0")


# The default screen, unless --configfile names another one (which then replaces it instead of being
# merged into it: a review config must not inherit the default's coatings).
if not workflow.overwrite_configfiles:

    configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/mlip.smk"
include: "workflow/rules/entries.smk"
include: "workflow/rules/interfaces.smk"
include: "workflow/rules/ranking.smk"
include: "workflow/rules/report.smk"


localrules:
    all,


rule all:
    input:
        final_outputs(),
    default_target: True
