import { Observable, Subject } from 'rxjs';

/** A stream the library owns: consumers get an Observable and can listen, never push. */
export class EventStream<T> {
  private readonly subject = new Subject<T>();
  readonly events$: Observable<T> = this.subject.asObservable();

  emit(event: T): void {
    if (this.subject.observed) this.subject.next(event);
  }

  complete(): void {
    this.subject.complete();
  }
}
