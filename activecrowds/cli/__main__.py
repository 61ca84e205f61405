from activecrowds.cli import main

raise SystemExit(main())
