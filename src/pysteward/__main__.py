from pysteward.cli import main

main()
