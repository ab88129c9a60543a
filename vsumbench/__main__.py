from vsumbench.cli import main

main()
