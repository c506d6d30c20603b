from aispm_graph.cli.main import main

main()
