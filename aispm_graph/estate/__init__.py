"""Whole-estate collection: many AWS accounts (an organisation or a list of profiles) or many
Azure subscriptions into one snapshot, each scope stored the moment it finishes, resumable
after an interruption.

The CLI (``aispm collect aws --org``, ``collect azure --all-subscriptions``) only parses
options and renders what these return, so notebooks and scripts run the same orchestration:

    from aispm_graph.estate.aws import EstateRequest, collect_aws_estate
    summary = collect_aws_estate(Workspace(path), request, CollectOptions(regions=[...]))

Modules: :mod:`.run` (the run file, ``--resume``, Ctrl-C/SIGTERM handling),
:mod:`.aws`, :mod:`.azure`, :mod:`.incremental` (what an AWS collect keeps so the next one
can be incremental). This layer calls collectors and writes the workspace; it never imports
the CLI.
"""
